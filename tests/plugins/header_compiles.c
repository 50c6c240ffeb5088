/* plugin.h must stay clean C11: this file is compiled with -std=c11 -pedantic. */
#include <kubecert/plugin.h>

int kubecert_header_compiles_as_c(void) {
    return (int)sizeof(kubecert_host_t) > 0;
}
