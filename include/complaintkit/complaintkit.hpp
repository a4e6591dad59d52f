// complaintkit — umbrella header of the C++ API.
//
// The C++ API has no ABI promise: rebuild against each release. Hosts that need a stable
// binary interface use the C API (complaintkit.h).
#pragma once

#include <complaintkit/version.hpp>
#include <complaintkit/error.hpp>
#include <complaintkit/taxonomy.hpp>
#include <complaintkit/time.hpp>
#include <complaintkit/utf8.hpp>
#include <complaintkit/textmodel.hpp>
#include <complaintkit/complaint.hpp>
#include <complaintkit/json.hpp>
#include <complaintkit/calendar.hpp>
#include <complaintkit/workflow.hpp>
#include <complaintkit/normalize.hpp>
#include <complaintkit/rules.hpp>
#include <complaintkit/archive.hpp>
#include <complaintkit/exchange.hpp>
#include <complaintkit/csv.hpp>
#include <complaintkit/metrics.hpp>
