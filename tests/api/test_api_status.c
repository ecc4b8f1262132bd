/* test_api_status.c - the public header's constants are the core's:
 * every RVVNN_E* equals status.def's value (and no code is missing from
 * the header), every RVVNN_DTYPE_* equals dtype.def's ONNX code, and
 * rvvnn_status_string / rvvnn_version agree with their sources. Built
 * against the internal headers on purpose: it is the bridge test. */
#include "check.h"
#include "rvvnn.h"
#include "util/status.h"
#include "util/tensor.h"

#include <string.h>

int main(void)
{
    int n_codes = 0;
#define X(name, val, desc)                                                             \
    CHECK_MSG(RVVNN_##name == (val), "RVVNN_" #name " = %d, status.def says %d",        \
              (int)RVVNN_##name, (int)(val));                                          \
    CHECK_MSG(strcmp(rvvnn_status_string(val), desc) == 0, "status string of " #name); \
    n_codes++;
#include "util/status.def"
#undef X
    CHECK(n_codes == 15); /* the header lists 15 codes: a new row needs a new macro */
    CHECK(strcmp(rvvnn_status_string(-12345), "unknown status") == 0);
    CHECK(strcmp(rvvnn_status_string(1), "unknown status") == 0);
    int n_types = 0;
#define X(name, code, size, ctype, sfx)                                               \
    CHECK_MSG(RVVNN_DTYPE_##name == (code), "RVVNN_DTYPE_" #name);                      \
    CHECK(dtype_size(RVVNN_DTYPE_##name) == (size));                                   \
    n_types++;
#include "util/dtype.def"
#undef X
    CHECK(n_types == 13);
    CHECK(strcmp(rvvnn_version(), RVVNN_VERSION_STRING) == 0);
    char v[32];
    snprintf(v, sizeof v, "%d.%d.%d", RVVNN_VERSION_MAJOR, RVVNN_VERSION_MINOR, RVVNN_VERSION_PATCH);
    CHECK(strcmp(v, RVVNN_VERSION_STRING) == 0);
    CHECK(rvvnn_abi_version() == RVVNN_ABI_VERSION);
    return check_done();
}
