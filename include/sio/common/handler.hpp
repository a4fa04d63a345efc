// What event handlers receive, and how their parameter lists are read (shared by the server's
// socket and server-side events and the client's events).
//
// sio::ack is the acknowledgement the sender of an event asked for (Node's callback argument).
//
// Handler shapes (after the leading parameters of the caller: sio::socket& for a server socket's
// events, none for server-side events and for the client's events):
//   f(const boost::json::array& args[, sio::ack])  every argument as JSON
//   f(const sio::payload& args[, sio::ack])        every argument, binary attachments included
//   f([sio::ack])                                  no argument (arguments sent are ignored)
//   f(T1 a, T2 b, ...[, sio::ack])                 args[0], args[1], ... converted in order:
//       boost::json::value_to<T> (Boost.Describe structs, tag_invoke, standard types...);
//       sio::binary takes a binary argument's bytes; std::optional<T> is std::nullopt when the
//       argument is missing or null. By value, const T& and T&& alike. Arguments beyond the
//       parameters are ignored.
// A lone boost::json::array or sio::payload parameter always means "every argument".
//
// When an argument does not convert the handler is not called and the socket stays connected:
// an ack the sender asked for is answered with one argument
//   {"error": "argument <n>: <reason>"}      (n counts from 1, the event name not included)
// and without one the event is dropped with one line in the server's log.
//
// A handler needs one call operator with explicit parameter types (a lambda, a function, a
// struct with one operator()): a generic (auto) or overloaded lambda cannot be read, which a
// static_assert says.
//
// Thread-safety: an ack may be called from any thread, once (later calls are ignored).
#pragma once

#include <sio/common/payload.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace sio {

// The acknowledgement the sender asked for with its event. Answers once (later calls are
// ignored); callable from any thread. A default-constructed ack (none requested) does nothing.
class ack {
 public:
  // One acknowledgement's destination; delivers at most once.
  struct state {
    virtual ~state() = default;
    virtual void deliver(payload p) = 0;
    std::atomic<bool> sent{false};
  };

  ack() = default;
  explicit ack(std::shared_ptr<state> s) : st_(std::move(s)) {}
  // An ack answered by calling `reply` (e.g. to drive a handler directly in a test).
  explicit ack(std::function<void(payload)> reply);

  bool requested() const noexcept { return st_ != nullptr; }
  // ack({{"success", true}}): one JSON argument.
  void operator()(boost::json::value v) const { send(make_payload(std::move(v))); }
  template <class... A>
  void operator()(A&&... a) const {
    send(make_payload(std::forward<A>(a)...));
  }
  void send(payload p) const {
    if (st_ && !st_->sent.exchange(true, std::memory_order_acq_rel)) st_->deliver(std::move(p));
  }

 private:
  std::shared_ptr<state> st_;
};

namespace detail {

// A typed argument that did not convert (the handler was not called).
struct argument_error : std::runtime_error {
  argument_error(std::size_t index, const std::string& reason)
      : std::runtime_error("argument " + std::to_string(index + 1) + ": " + reason) {}
};

// Answers `a` with {"error": "argument <n>: <reason>"}; false when no ack was requested.
inline bool answer_error(const argument_error& e, const ack& a) {
  if (!a.requested()) return false;
  a(boost::json::object{{"error", e.what()}});
  return true;
}

// --- reading a callable's parameter list ------------------------------------------------------

template <class M>
struct member_params {
  static constexpr bool known = false;
};
#define SIO_MEMBER_PARAMS(QUALIFIERS)               \
  template <class R, class C, class... A>           \
  struct member_params<R (C::*)(A...) QUALIFIERS> { \
    static constexpr bool known = true;             \
    using type = std::tuple<A...>;                  \
  };
SIO_MEMBER_PARAMS()
SIO_MEMBER_PARAMS(const)
SIO_MEMBER_PARAMS(noexcept)
SIO_MEMBER_PARAMS(const noexcept)
#undef SIO_MEMBER_PARAMS

template <class F>
struct call_params {
  static constexpr bool known = false;
};
template <class F>
requires requires {
  &F::operator();
}
struct call_params<F> : member_params<decltype(&F::operator())> {};
template <class R, class... A>
struct call_params<R (*)(A...)> {
  static constexpr bool known = true;
  using type = std::tuple<A...>;
};
template <class R, class... A>
struct call_params<R (*)(A...) noexcept> : call_params<R (*)(A...)> {};

// One call operator with explicit parameter types (not generic, not overloaded).
template <class F>
concept readable_handler = call_params<F>::known;

template <class Tuple, std::size_t N, class Seq = std::make_index_sequence<N>>
struct take;  // the first N types
template <class... T, std::size_t N, std::size_t... I>
struct take<std::tuple<T...>, N, std::index_sequence<I...>> {
  using type = std::tuple<std::tuple_element_t<I, std::tuple<T...>>...>;
};
template <class Tuple, std::size_t N,
          class Seq = std::make_index_sequence<std::tuple_size_v<Tuple> - N>>
struct drop;  // all but the first N types
template <class... T, std::size_t N, std::size_t... I>
struct drop<std::tuple<T...>, N, std::index_sequence<I...>> {
  using type = std::tuple<std::tuple_element_t<N + I, std::tuple<T...>>...>;
};

template <class T>
inline constexpr bool is_ack_v = std::is_same_v<std::remove_cvref_t<T>, ack>;
// A lone parameter of these types takes every argument.
template <class T>
inline constexpr bool is_whole_v = std::is_same_v<std::remove_cvref_t<T>, payload> ||
                                   std::is_same_v<std::remove_cvref_t<T>, boost::json::array>;
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct convertible_arg
    : std::bool_constant<std::is_same_v<T, binary> || boost::json::has_value_to<T>::value> {};
template <class T>
struct convertible_arg<std::optional<T>> : convertible_arg<T> {};

template <class Params, class... Lead>
struct handler_params {
  static constexpr std::size_t nlead = sizeof...(Lead);
  static constexpr bool lead_ok =
      std::tuple_size_v<Params> >= nlead &&
      std::is_same_v<typename take<Params, std::min(nlead, std::tuple_size_v<Params>)>::type,
                     std::tuple<Lead...>>;
};

template <class Tuple>
struct last_param {
  using type = void;
};
template <class T0, class... T>
struct last_param<std::tuple<T0, T...>> {
  using type = std::tuple_element_t<sizeof...(T), std::tuple<T0, T...>>;
};

// The parameters after the leading ones: the arguments, then maybe an ack.
template <class Params, std::size_t NLead>
struct split_params {
  using rest = typename drop<Params, NLead>::type;
  static constexpr std::size_t nrest = std::tuple_size_v<rest>;
  static constexpr bool has_ack = is_ack_v<typename last_param<rest>::type>;
  using args = typename take<rest, has_ack ? nrest - 1 : nrest>::type;
  using ack_param = std::conditional_t<has_ack, typename last_param<rest>::type, void>;
};

template <class Args>
struct args_check;
template <class... A>
struct args_check<std::tuple<A...>> {
  static constexpr bool no_ack = !(is_ack_v<A> || ...);
  // (An ack out of place is reported by no_ack alone.)
  static constexpr bool convertible =
      (sizeof...(A) == 1 && (is_whole_v<A> && ...)) ||
      ((is_ack_v<A> || convertible_arg<std::remove_cvref_t<A>>::value) && ...);
};

// --- converting arguments ---------------------------------------------------------------------

// Passes a value we own to a parameter of type P (moved unless P is an lvalue reference).
template <class P, class V>
decltype(auto) pass(V& v) {
  if constexpr (std::is_lvalue_reference_v<P>)
    return (v);
  else
    return std::move(v);
}

template <class T>
T convert_value(const payload& p, std::size_t i) {
  if constexpr (std::is_same_v<T, binary>) {
    if (const auto* b = p.binary_at(i)) return *b;
    throw std::invalid_argument("not binary");
  } else {
    return boost::json::value_to<T>(p.args[i]);
  }
}

template <class T>
T convert_arg(const payload& p, std::size_t i) {
  if constexpr (is_optional<T>::value) {
    if (i >= p.args.size() || p.args[i].is_null()) return std::nullopt;
    return T(convert_arg<typename T::value_type>(p, i));
  } else {
    if (i >= p.args.size()) throw argument_error(i, "missing");
    try {
      return convert_value<T>(p, i);
    } catch (const boost::system::system_error& e) {
      throw argument_error(i, e.code().message());  // without the source location
    } catch (const std::exception& e) {
      throw argument_error(i, e.what());
    }
  }
}

// Calls f(lead..., args converted to the types Args..., [ack]); Ack is the ack parameter's type
// (void: none).
template <class Args, class Ack, class F, class... Lead>
void call_handler(F& f, payload& p, ack& a, Lead&&... lead) {
  auto call = [&](auto&&... xs) {
    if constexpr (std::is_same_v<Ack, void>)
      f(std::forward<Lead>(lead)..., std::forward<decltype(xs)>(xs)...);
    else if constexpr (std::is_rvalue_reference_v<Ack>)
      f(std::forward<Lead>(lead)..., std::forward<decltype(xs)>(xs)..., std::move(a));
    else
      f(std::forward<Lead>(lead)..., std::forward<decltype(xs)>(xs)..., a);
  };
  constexpr std::size_t n = std::tuple_size_v<Args>;
  if constexpr (n == 0) {
    call();
  } else if constexpr (n == 1 && is_whole_v<std::tuple_element_t<0, Args>>) {
    using P = std::tuple_element_t<0, Args>;
    if constexpr (std::is_same_v<std::remove_cvref_t<P>, payload>)
      call(pass<P>(p));
    else
      call(pass<P>(p.args));
  } else {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      // Braced: converted left to right, so the first bad argument is the one reported.
      std::tuple<std::remove_cvref_t<std::tuple_element_t<I, Args>>...> v{
          convert_arg<std::remove_cvref_t<std::tuple_element_t<I, Args>>>(p, I)...};
      call(pass<std::tuple_element_t<I, Args>>(std::get<I>(v))...);
    }
    (std::make_index_sequence<n>{});
  }
}

// The normalized form of a handler whose leading parameters are Lead... (sio::socket& for socket
// events, none for server-side events).
template <class... Lead>
using handler_fn = std::function<void(Lead..., payload&, ack&)>;

template <class... Lead, class F>
handler_fn<Lead...> make_handler(F f) {
  static_assert(readable_handler<F>,
                "sio: cannot read this handler's parameters. Give it one call operator with "
                "explicit parameter types, e.g. [](sio::socket& s, std::string room, sio::ack ack) "
                "{...}; a generic (auto) or overloaded lambda cannot be used.");
  if constexpr (readable_handler<F>) {
    using params = typename call_params<F>::type;
    static_assert(handler_params<params, Lead...>::lead_ok,
                  "sio: this handler must take the leading parameters of its kind first "
                  "(sio::socket& for a server socket's events)");
    if constexpr (handler_params<params, Lead...>::lead_ok) {
      using split = split_params<params, sizeof...(Lead)>;
      using args = typename split::args;
      static_assert(args_check<args>::no_ack, "sio: sio::ack must be the handler's last parameter");
      static_assert(args_check<args>::convertible,
                    "sio: a handler parameter type has no boost::json::value_to conversion (give "
                    "it a tag_invoke overload or describe it with BOOST_DESCRIBE_STRUCT)");
      return [f = std::move(f)](Lead... l, payload& p, ack& a) mutable {
        call_handler<args, typename split::ack_param>(f, p, a, std::forward<Lead>(l)...);
      };
    }
  }
  return {};
}

}  // namespace detail
}  // namespace sio
