# Installs the build tree into a scratch prefix, then builds two consumers against it:
#  1. a CMake project using find_package(complaintkit) and both targets;
#  2. a plain C program compiled with the flags pkg-config gives for complaintkit.
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
macro(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGV}\n${out}\n${err}")
  endif()
endmacro()

run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")

# 1. CMake consumer
run("${CMAKE_COMMAND}" -S "${SOURCE_DIR}/tests/consumer/cmake-project" -B "${WORK_DIR}/cmake-build"
    -G "${GENERATOR}" "-DCMAKE_PREFIX_PATH=${prefix}" -DCMAKE_BUILD_TYPE=Release)
run("${CMAKE_COMMAND}" --build "${WORK_DIR}/cmake-build")
run("${WORK_DIR}/cmake-build/consumer_cpp")
if(NOT out MATCHES "consumer_cpp ok: CK-CONSUMER-1 product_quality")
  message(FATAL_ERROR "C++ consumer printed: ${out}")
endif()
run("${WORK_DIR}/cmake-build/consumer_c")
if(NOT out MATCHES "consumer_c ok: 0\\.1\\.0 CK-CONSUMER-2")
  message(FATAL_ERROR "C consumer (CMake) printed: ${out}")
endif()

# 2. pkg-config consumer
file(GLOB pcdir "${prefix}/lib*/pkgconfig" "${prefix}/lib/*/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "${pcdir}")
run(pkg-config --cflags --libs complaintkit)
string(STRIP "${out}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run(cc -std=c99 -Wall -Wextra -Wpedantic -Werror "${SOURCE_DIR}/tests/consumer/cmake-project/consumer.c"
    ${flags} -o "${WORK_DIR}/consumer_pkgconfig")
file(GLOB libdir "${prefix}/lib*" LIST_DIRECTORIES true)
set(ENV{LD_LIBRARY_PATH} "${pcdir}/..")
run("${WORK_DIR}/consumer_pkgconfig")
if(NOT out MATCHES "consumer_c ok")
  message(FATAL_ERROR "pkg-config consumer printed: ${out}")
endif()
# 3. the installed Python package, imported by the interpreter it was built for
if(PYTHON)
  set(ENV{PYTHONPATH} "${prefix}/${PY_SITE}")
  # (no ';' in the code: run() passes its arguments through a CMake list)
  run("${PYTHON}" -c "import complaintkit as ck, os\nassert os.path.dirname(ck.__file__).startswith('${prefix}'), ck.__file__\nprint('python ok', ck.__version__, ck.Category.product_quality.label('zh-Hant'))")
  if(NOT out MATCHES "python ok 0\\.1\\.0")
    message(FATAL_ERROR "installed Python package printed: ${out}")
  endif()
endif()
message(STATUS "CMake and pkg-config consumers built and ran against ${prefix}")
