#include <sio/protocol/js_date.hpp>

#include <cstdio>

namespace sio::protocol {
namespace {

constexpr std::int64_t max_ms = 8'640'000'000'000'000;
constexpr std::int64_t ms_per_day = 86'400'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// A time in UTC, broken down as JavaScript's Date getters (getUTC*) give it.
struct utc_time {
  long long year;
  int month;    // 1..12
  int day;      // 1..31
  int weekday;  // 0 = Sunday
  int hour, minute, second, millisecond;
};

utc_time to_utc(std::int64_t ms) noexcept {
  const std::int64_t days = floor_div(ms, ms_per_day);
  const std::int64_t rem = ms - days * ms_per_day;
  // civil_from_days (H. Hinnant's algorithm): days since 1970-01-01 to a proleptic Gregorian date.
  const std::int64_t z = days + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const auto month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  utc_time t{};
  t.year = static_cast<long long>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  t.month = month;
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.weekday = static_cast<int>(days - floor_div(days + 4, 7) * 7 + 4);  // 1970-01-01: Thursday
  t.hour = static_cast<int>(rem / 3'600'000);
  t.minute = static_cast<int>(rem / 60'000 % 60);
  t.second = static_cast<int>(rem / 1000 % 60);
  t.millisecond = static_cast<int>(rem % 1000);
  return t;
}

}  // namespace

std::string js_date_string(std::int64_t ms) {
  if (ms < -max_ms || ms > max_ms) return "Invalid Date";
  static constexpr const char* weekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const utc_time t = to_utc(ms);
  char buf[96];
  const int n = std::snprintf(
      buf, sizeof buf, "%s %s %02d %s%04lld %02d:%02d:%02d GMT+0000 (Coordinated Universal Time)",
      weekdays[t.weekday], months[t.month - 1], t.day, t.year < 0 ? "-" : "",
      t.year < 0 ? -t.year : t.year, t.hour, t.minute, t.second);
  return std::string(buf, static_cast<std::size_t>(n));
}

std::optional<std::string> js_iso_string(std::int64_t ms) {
  if (ms < -max_ms || ms > max_ms) return std::nullopt;
  const utc_time t = to_utc(ms);
  char buf[64];
  const bool four_digits = t.year >= 0 && t.year <= 9999;
  const int n =
      four_digits ? std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", t.year,
                                  t.month, t.day, t.hour, t.minute, t.second, t.millisecond)
                  : std::snprintf(buf, sizeof buf, "%c%06lld-%02d-%02dT%02d:%02d:%02d.%03dZ",
                                  t.year < 0 ? '-' : '+', t.year < 0 ? -t.year : t.year, t.month,
                                  t.day, t.hour, t.minute, t.second, t.millisecond);
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace sio::protocol
