// complaintkit Python extension: one file per area, each with an init_* function.
#include "bindings.hpp"

PYBIND11_MODULE(_complaintkit, m) {
    m.doc() = R"pbdoc(Native core of complaintkit. Use the `complaintkit` package, not this module.)pbdoc";
    m.attr("__version__") = CK_VERSION_INFO;
    ckpy::init_errors(m);
    ckpy::init_model(m);
    ckpy::init_workflow(m);
    ckpy::init_metrics(m);
    ckpy::init_rules(m);
    ckpy::init_archive(m);
    ckpy::init_textmodel(m);
}
