// A workflow command for tests: type, time (ISO 8601), payload JSON; actor "li".
#pragma once

#include <complaintkit/time.hpp>
#include <complaintkit/workflow.hpp>

#include <string>

namespace ck::test {

inline Command command(CommandType type, const char* at, std::string payload = "{}") {
    Command c;
    c.type = type;
    c.at = parse_timestamp(at);
    c.actor = "li";
    c.payload = std::move(payload);
    return c;
}

}  // namespace ck::test
