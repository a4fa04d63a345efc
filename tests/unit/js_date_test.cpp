// JavaScript Date strings (sio_protocol js_date). Every expected string is what Node.js 20 prints
// for `new Date(ms).toString()` (with TZ=UTC) and `new Date(ms).toISOString()`.
#include <sio/protocol/js_date.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>

namespace {

using sio::protocol::js_date_string;
using sio::protocol::js_iso_string;

struct known_date {
  std::int64_t ms;
  std::string_view to_string;
  std::string_view iso;
};

constexpr std::string_view utc = " GMT+0000 (Coordinated Universal Time)";

constexpr known_date known[] = {
    {0LL, "Thu Jan 01 1970 00:00:00", "1970-01-01T00:00:00.000Z"},
    {-1LL, "Wed Dec 31 1969 23:59:59", "1969-12-31T23:59:59.999Z"},
    {1LL, "Thu Jan 01 1970 00:00:00", "1970-01-01T00:00:00.001Z"},
    {999LL, "Thu Jan 01 1970 00:00:00", "1970-01-01T00:00:00.999Z"},
    {1000LL, "Thu Jan 01 1970 00:00:01", "1970-01-01T00:00:01.000Z"},
    {86399999LL, "Thu Jan 01 1970 23:59:59", "1970-01-01T23:59:59.999Z"},
    {86400000LL, "Fri Jan 02 1970 00:00:00", "1970-01-02T00:00:00.000Z"},
    {259200000LL, "Sun Jan 04 1970 00:00:00", "1970-01-04T00:00:00.000Z"},
    {1700000000123LL, "Tue Nov 14 2023 22:13:20", "2023-11-14T22:13:20.123Z"},
    {1709164800000LL, "Thu Feb 29 2024 00:00:00", "2024-02-29T00:00:00.000Z"},
    {951782400000LL, "Tue Feb 29 2000 00:00:00", "2000-02-29T00:00:00.000Z"},
    {951868799999LL, "Tue Feb 29 2000 23:59:59", "2000-02-29T23:59:59.999Z"},
    {4102444799999LL, "Thu Dec 31 2099 23:59:59", "2099-12-31T23:59:59.999Z"},
    {-2208988800000LL, "Mon Jan 01 1900 00:00:00", "1900-01-01T00:00:00.000Z"},
    {-12345678901234LL, "Fri Oct 13 1578 04:44:58", "1578-10-13T04:44:58.766Z"},
    {-62167219200000LL, "Sat Jan 01 0000 00:00:00", "0000-01-01T00:00:00.000Z"},
    {-62167219200001LL, "Fri Dec 31 -0001 23:59:59", "-000001-12-31T23:59:59.999Z"},
    {-62198755200000LL, "Fri Jan 01 -0001 00:00:00", "-000001-01-01T00:00:00.000Z"},
    {253402300799999LL, "Fri Dec 31 9999 23:59:59", "9999-12-31T23:59:59.999Z"},
    {253402300800000LL, "Sat Jan 01 10000 00:00:00", "+010000-01-01T00:00:00.000Z"},
    {8640000000000000LL, "Sat Sep 13 275760 00:00:00", "+275760-09-13T00:00:00.000Z"},
    {-8640000000000000LL, "Tue Apr 20 -271821 00:00:00", "-271821-04-20T00:00:00.000Z"},
};

TEST(JsDate, ToStringAsNodePrintsItInUtc) {
  for (const auto& d : known)
    EXPECT_EQ(js_date_string(d.ms), std::string(d.to_string) + std::string(utc)) << d.ms;
}

TEST(JsDate, ToIsoStringAsNodePrintsIt) {
  for (const auto& d : known) {
    const auto iso = js_iso_string(d.ms);
    ASSERT_TRUE(iso) << d.ms;
    EXPECT_EQ(*iso, d.iso) << d.ms;
  }
}

TEST(JsDate, OutsideJavaScriptsRangeIsAnInvalidDate) {
  constexpr std::int64_t outside[] = {8'640'000'000'000'001, -8'640'000'000'000'001, INT64_MAX,
                                      INT64_MIN};
  for (const std::int64_t ms : outside) {
    EXPECT_EQ(js_date_string(ms), "Invalid Date") << ms;  // new Date(ms).toString()
    EXPECT_FALSE(js_iso_string(ms)) << ms;                // toISOString() throws a RangeError
  }
}

}  // namespace
