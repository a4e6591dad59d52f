/* The plain-C suites' assertion macros: count checks and failures, print each failure
 * with its line, and let main() return ck_check_result(). One copy per test program
 * (static state), included by every C test program. */
#ifndef CK_TESTS_CHECK_H
#define CK_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        ++checks;                                                                     \
        if (!(cond)) {                                                                \
            ++failures;                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                             \
    } while (0)
#define CHECK_STR(a, b) CHECK(strcmp((a), (b)) == 0)
#define CHECK_CONTAINS(hay, needle) CHECK(strstr((hay), (needle)) != NULL)
#define CHECK_HAS(hay, needle) CHECK_CONTAINS(hay, needle)

#endif
