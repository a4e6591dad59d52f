// complaintkit Python extension: shared declarations of the binding files.
#pragma once

#include <complaintkit/complaintkit.hpp>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;

namespace ckpy {

void init_errors(py::module_& m);
void init_model(py::module_& m);
void init_workflow(py::module_& m);
void init_metrics(py::module_& m);
void init_rules(py::module_& m);
void init_archive(py::module_& m);
void init_textmodel(py::module_& m);

/// Text from str or bytes (bytes are checked as UTF-8 by the parsers).
std::string text_of(const py::handle& obj, const char* what);
/// JSON text from a str / bytes, or from a dict / list via the json module.
std::string json_text_of(const py::handle& obj, const char* what);
/// Python object from JSON text (json.loads).
py::object json_loads(const std::string& text);
/// timezone-aware datetime for a Timestamp, and back.
py::object to_datetime(const ck::Timestamp& t);
ck::Timestamp from_datetime(const py::handle& obj, const char* what);

}  // namespace ckpy
