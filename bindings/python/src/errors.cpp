// Maps ck::Error to the Python hierarchy defined in complaintkit/errors.py.
#include "bindings.hpp"

namespace ckpy {

void init_errors(py::module_& m) {
    m.def("error_code_name", [](int code) { return ck::error_code_name(static_cast<ck::ErrorCode>(code)); });
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const ck::Error& e) {
            py::object errors = py::module_::import("complaintkit.errors");
            py::object cls = errors.attr("_class_for")(ck::error_code_name(e.code()));
            py::object exc = cls(py::str(e.what()));
            exc.attr("code") = ck::error_code_name(e.code());
            exc.attr("path") = e.path();
            exc.attr("detail") = e.message();
            PyErr_SetObject(cls.ptr(), exc.ptr());
        }
    });
}

std::string text_of(const py::handle& obj, const char* what) {
    if (py::isinstance<py::bytes>(obj)) return obj.cast<std::string>();
    if (py::isinstance<py::str>(obj)) {
        Py_ssize_t n = 0;
        const char* s = PyUnicode_AsUTF8AndSize(obj.ptr(), &n);
        if (!s) {
            // lone surrogates: not representable as UTF-8
            PyErr_Clear();
            throw ck::Error(ck::ErrorCode::invalid_utf8, std::string(what) + " is not encodable as UTF-8 (lone surrogate)");
        }
        return std::string(s, static_cast<std::size_t>(n));
    }
    throw py::type_error(std::string(what) + " must be str or bytes");
}

std::string json_text_of(const py::handle& obj, const char* what) {
    if (py::isinstance<py::str>(obj) || py::isinstance<py::bytes>(obj)) return text_of(obj, what);
    if (py::isinstance<py::dict>(obj) || py::isinstance<py::list>(obj)) {
        py::object dumps = py::module_::import("json").attr("dumps");
        return dumps(obj, py::arg("ensure_ascii") = false, py::arg("allow_nan") = false).cast<std::string>();
    }
    throw py::type_error(std::string(what) + " must be a JSON str / bytes or a dict");
}

py::object json_loads(const std::string& text) {
    return py::module_::import("json").attr("loads")(py::str(text));
}

py::object to_datetime(const ck::Timestamp& t) {
    py::module_ dt = py::module_::import("datetime");
    py::object tz = t.offset_minutes == 0
                        ? dt.attr("timezone").attr("utc")
                        : dt.attr("timezone")(dt.attr("timedelta")(py::arg("minutes") = t.offset_minutes));
    const long long us = t.utc.time_since_epoch().count();
    py::object epoch = dt.attr("datetime")(1970, 1, 1, py::arg("tzinfo") = dt.attr("timezone").attr("utc"));
    py::object utc = epoch + dt.attr("timedelta")(py::arg("microseconds") = us);
    return utc.attr("astimezone")(tz);
}

ck::Timestamp from_datetime(const py::handle& obj, const char* what) {
    if (py::isinstance<py::str>(obj)) return ck::parse_timestamp(obj.cast<std::string>());
    py::module_ dt = py::module_::import("datetime");
    if (!py::isinstance(obj, dt.attr("datetime")))
        throw py::type_error(std::string(what) + " must be a timezone-aware datetime or an ISO-8601 string");
    if (obj.attr("tzinfo").is_none() || obj.attr("utcoffset")().is_none())
        throw ck::Error(ck::ErrorCode::invalid_value, std::string(what) + ": datetime must be timezone-aware");
    return ck::parse_timestamp(obj.attr("isoformat")().cast<std::string>());
}

}  // namespace ckpy
