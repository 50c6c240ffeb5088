/* A plugin that misbehaves at the C ABI in every way a C plugin can without
 * crashing itself: failing statuses with a NULL get_last_error(), statuses
 * outside kubecert_status_t, NULL strings in findings, a finding without an
 * id, evidence pointers that are NULL. The host must turn each into a clear
 * ERROR (exit 3) with a complete report, never a crash.
 *
 * Node: /etc/hostile must be a folder (detect). --hostile-mode picks the
 * misbehaviour: audit (default), status, create, detect, fix. */
#include <kubecert/plugin.h>

#include <stdlib.h>
#include <string.h>

static const kubecert_check_decl_t k_checks[] = {
    {sizeof(kubecert_check_decl_t), "hostile.nulls", "findings full of NULL"},
    {sizeof(kubecert_check_decl_t), "hostile.fixme", "a fixable failure whose fix breaks"},
};

static const kubecert_option_decl_t k_options[] = {
    {sizeof(kubecert_option_decl_t), "mode", "MODE", "audit, status, create, detect or fix", "audit"},
};

static int mode_is(const kubecert_host_t* host, const char* mode) {
    const char* m = host->option(host, "mode");
    return m && strcmp(m, mode) == 0;
}

static void* h_create(const kubecert_host_t* host) {
    if (mode_is(host, "create")) return NULL;
    return calloc(1, 1);
}

static void h_destroy(void* self) {
    free(self);
}

static kubecert_status_t h_detect(void* self, const kubecert_host_t* host, int* matches) {
    kubecert_file_info_t info;
    (void)self;
    if (mode_is(host, "detect")) return KUBECERT_ERR_IO;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    if (host->stat_file(host, "/etc/hostile", &info) != KUBECERT_OK) return KUBECERT_ERR_FAILED;
    *matches = info.type == KUBECERT_FILE_DIRECTORY;
    return KUBECERT_OK;
}

static kubecert_status_t report_nulls(const kubecert_host_t* host) {
    kubecert_finding_t f;
    kubecert_evidence_t ev;
    memset(&f, 0, sizeof f);
    memset(&ev, 0, sizeof ev);
    f.struct_size = sizeof f;
    /* No id: the host refuses it, with a status. */
    if (host->report_finding(host, &f) == KUBECERT_OK) return KUBECERT_ERR_FAILED;
    if (host->report_finding(host, NULL) == KUBECERT_OK) return KUBECERT_ERR_FAILED;
    /* An id and nothing else: every string NULL, a status outside the enum. */
    f.id = "hostile.nulls";
    f.status = (kubecert_finding_status_t)42;
    f.evidence = &ev;
    f.evidence_count = 1;
    host->report_finding(host, &f);
    /* A count without evidence. */
    f.id = "hostile.nulls/no-evidence";
    f.status = KUBECERT_PASS;
    f.evidence = NULL;
    f.evidence_count = 5;
    return host->report_finding(host, &f);
}

static kubecert_status_t h_audit(void* self, const kubecert_host_t* host) {
    (void)self;
    if (mode_is(host, "fix")) {
        kubecert_finding_t f;
        memset(&f, 0, sizeof f);
        f.struct_size = sizeof f;
        f.id = "hostile.fixme";
        f.status = KUBECERT_FAIL;
        f.fixable = 1;
        return host->report_finding(host, &f);
    }
    report_nulls(host);
    if (mode_is(host, "status")) return (kubecert_status_t)1234;
    return KUBECERT_ERR_FAILED; /* and get_last_error() says nothing */
}

static kubecert_status_t h_fix(void* self, const kubecert_host_t* host, const char* const* ids, size_t count) {
    (void)self;
    (void)ids;
    (void)count;
    host->begin_action(host, NULL);
    if (host->write_file(host, "/etc/hostile/fixed.conf", "fixed\n", 6, 0644, 0) != KUBECERT_OK) return KUBECERT_ERR_IO;
    return KUBECERT_ERR_FAILED; /* after a change: the host rolls it back */
}

static const char* h_last_error(void* self) {
    (void)self;
    return NULL;
}

static const kubecert_plugin_t k_plugin = {
    sizeof(kubecert_plugin_t),
    "hostile",
    "0.0.1",
    "misbehaves at the ABI on purpose",
    k_checks,
    sizeof k_checks / sizeof k_checks[0],
    k_options,
    sizeof k_options / sizeof k_options[0],
    h_create,
    h_destroy,
    h_detect,
    h_audit,
    h_fix,
    h_last_error,
    NULL,
    NULL,
    NULL,
    NULL, /* ABI 1.4 accessors: the arrays above suffice */
};

static const kubecert_plugin_t* h_get_plugin(const kubecert_version_t* host_abi) {
    return host_abi && host_abi->major == KUBECERT_ABI_MAJOR ? &k_plugin : NULL;
}

KUBECERT_EXPORT const kubecert_plugin_entry_t kubecert_plugin_entry = {
    {KUBECERT_ABI_MAJOR, KUBECERT_ABI_MINOR, KUBECERT_ABI_PATCH},
    sizeof(kubecert_plugin_entry_t),
    h_get_plugin,
};
