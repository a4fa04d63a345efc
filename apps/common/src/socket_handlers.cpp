#include "socket_handlers.hpp"

#include <boost/json/object.hpp>

namespace apps {

boost::json::value failure(std::string_view error) {
  return boost::json::object{{"success", false}, {"error", error}};
}

const boost::json::value& first_arg(const boost::json::array& args) {
  static const boost::json::value null_value;
  return args.empty() ? null_value : args.front();
}

}  // namespace apps
