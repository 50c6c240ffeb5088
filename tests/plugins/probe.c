/* A plugin that tells when it is loaded and when it is instantiated: its
 * library constructor appends "loaded" to $KUBECERT_TEST_PROBE_LOG, its
 * create() appends "created". Tests use it to show which commands load
 * plugins (`version` must not) and which create instances (`--help` and
 * `plugins` must not). Deliberately NOT inert: real plugins must be. */
#include <kubecert/plugin.h>

#include <stdio.h>
#include <stdlib.h>

static void note(const char* what) {
    const char* path = getenv("KUBECERT_TEST_PROBE_LOG");
    FILE* f = path ? fopen(path, "a") : NULL;
    if (!f) return;
    fprintf(f, "%s\n", what);
    fclose(f);
}

__attribute__((constructor)) static void on_load(void) {
    note("loaded");
}

static const kubecert_check_decl_t k_checks[] = {{sizeof(kubecert_check_decl_t), "probe.none", "nothing"}};
static const kubecert_option_decl_t k_options[] = {
    {sizeof(kubecert_option_decl_t), "depth", "N", "how deep to probe", "1"}};

static void* p_create(const kubecert_host_t* host) {
    static int instance;
    (void)host;
    note("created");
    return &instance;
}
static void p_destroy(void* self) {
    (void)self;
}
static kubecert_status_t p_detect(void* self, const kubecert_host_t* host, int* matches) {
    (void)self;
    (void)host;
    *matches = 0;
    return KUBECERT_OK;
}
static kubecert_status_t p_audit(void* self, const kubecert_host_t* host) {
    (void)self;
    (void)host;
    return KUBECERT_OK;
}
static kubecert_status_t p_fix(void* self, const kubecert_host_t* host, const char* const* ids, size_t count) {
    (void)self;
    (void)host;
    (void)ids;
    (void)count;
    return KUBECERT_OK;
}
static const char* p_last_error(void* self) {
    (void)self;
    return "";
}

static const kubecert_plugin_t k_plugin = {
    sizeof(kubecert_plugin_t),
    "probe",
    "0.0.1",
    "tells when it is loaded",
    k_checks,
    1,
    k_options,
    1,
    p_create,
    p_destroy,
    p_detect,
    p_audit,
    p_fix,
    p_last_error,
    NULL,
    NULL,
    NULL,
    NULL,
};

static const kubecert_plugin_t* p_get_plugin(const kubecert_version_t* host_abi) {
    (void)host_abi;
    return &k_plugin;
}

KUBECERT_EXPORT const kubecert_plugin_entry_t kubecert_plugin_entry = {
    {KUBECERT_ABI_MAJOR, 0, 0}, sizeof(kubecert_plugin_entry_t), p_get_plugin};
