/* A plugin "built yesterday": compiled against the frozen ABI 1.3 header
 * (abi_1_3.h), so its descriptor, check and option arrays, findings and
 * evidence have the 1.3 sizes, and its idea of the host table ends at
 * live_system. Loading it and running it through today's kubecert proves
 * the host reads old plugins by their own sizes.
 *
 * Node layout (under --root): /etc/abi13/ (detect); the file of option
 * --abi13-marker (default /etc/abi13/marker) says "fixed" once fixed;
 * ROOT/proc/PID/cmdline of processes named abi13d. With --abi13-write-in-audit
 * the audit tries write_file() and reports what the host answered. */
#include "abi_1_3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct state {
    char last_error[256];
    char text[512];
} state_t;

static const kubecert_check_decl_t k_checks[] = {
    {sizeof(kubecert_check_decl_t), "abi13.marker", "the marker file says fixed"},
    {sizeof(kubecert_check_decl_t), "abi13.host-table", "the host table covers every 1.3 service"},
    {sizeof(kubecert_check_decl_t), "abi13.processes", "abi13d processes are read with the 1.0 layout"},
    {sizeof(kubecert_check_decl_t), "abi13.write-in-audit", "write_file is refused in audit"},
};

static const kubecert_option_decl_t k_options[] = {
    {sizeof(kubecert_option_decl_t), "marker", "FILE", "the marker file", "/etc/abi13/marker"},
    {sizeof(kubecert_option_decl_t), "write-in-audit", NULL, "try write_file() in audit", NULL},
};

static void* a_create(const kubecert_host_t* host) {
    (void)host;
    return calloc(1, sizeof(state_t));
}

static void a_destroy(void* self) {
    free(self);
}

static kubecert_status_t a_detect(void* self, const kubecert_host_t* host, int* matches) {
    kubecert_file_info_t info;
    (void)self;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    if (host->stat_file(host, "/etc/abi13", &info) != KUBECERT_OK) return KUBECERT_ERR_FAILED;
    *matches = info.type == KUBECERT_FILE_DIRECTORY;
    return KUBECERT_OK;
}

static kubecert_status_t report(const kubecert_host_t* host, const char* id, kubecert_finding_status_t status,
                                const char* result, const kubecert_evidence_t* ev, size_t n, int fixable) {
    kubecert_finding_t f;
    memset(&f, 0, sizeof f);
    f.struct_size = sizeof f; /* the 1.3 size: no evidence_items */
    f.id = id;
    f.title = id;
    f.status = status;
    f.evidence = ev;
    f.evidence_count = n;
    f.fixable = fixable;
    f.result = result;
    return host->report_finding(host, &f);
}

static kubecert_status_t audit_marker(const kubecert_host_t* host) {
    const char* path = host->option(host, "marker");
    kubecert_buffer_t buf;
    int fixed = path && host->read_file(host, path, &buf) == KUBECERT_OK && strcmp(buf.data, "fixed\n") == 0;
    kubecert_evidence_t ev[2];
    ev[0].source = path ? path : "(no default)";
    ev[0].key = "content";
    ev[0].actual = fixed ? "fixed" : "not fixed";
    ev[0].expected = "fixed";
    ev[1].source = "abi13";
    ev[1].key = "second";
    ev[1].actual = "two";
    ev[1].expected = NULL;
    return report(host, "abi13.marker", fixed ? KUBECERT_PASS : KUBECERT_FAIL, fixed ? "fixed" : "not fixed", ev, 2,
                  !fixed);
}

static kubecert_status_t audit_host_table(state_t* st, const kubecert_host_t* host) {
    int covers = KUBECERT_HAS_FIELD(host, kubecert_host_t, live_system) && host->live_system != NULL;
    snprintf(st->text, sizeof st->text, "host table %u bytes, this plugin knows %u", (unsigned)host->struct_size,
             (unsigned)sizeof(kubecert_host_t));
    return report(host, "abi13.host-table", covers ? KUBECERT_PASS : KUBECERT_FAIL, st->text, NULL, 0, 0);
}

static kubecert_status_t audit_processes(state_t* st, const kubecert_host_t* host) {
    const kubecert_process_t* ps = NULL;
    size_t n = 0, i;
    size_t used = 0;
    if (host->find_processes(host, "abi13d", &ps, &n) != KUBECERT_OK)
        return report(host, "abi13.processes", KUBECERT_ERROR, host->last_error(host), NULL, 0, 0);
    st->text[0] = 0;
    for (i = 0; i < n && used < sizeof st->text; ++i)
        used += (size_t)snprintf(st->text + used, sizeof st->text - used, "%s%d %s", i ? ", " : "", ps[i].pid,
                                 ps[i].argv.count > 1 ? ps[i].argv.items[1] : "-");
    return report(host, "abi13.processes", KUBECERT_PASS, st->text, NULL, 0, 0);
}

static kubecert_status_t audit_write(const kubecert_host_t* host) {
    kubecert_status_t rc = host->write_file(host, "/etc/abi13/written-in-audit", "x\n", 2, 0644, 0);
    return report(host, "abi13.write-in-audit", rc == KUBECERT_ERR_DENIED ? KUBECERT_PASS : KUBECERT_FAIL,
                  rc == KUBECERT_OK ? "written" : host->last_error(host), NULL, 0, 0);
}

static kubecert_status_t a_audit(void* self, const kubecert_host_t* host) {
    state_t* st = (state_t*)self;
    if (audit_marker(host) != KUBECERT_OK || audit_host_table(st, host) != KUBECERT_OK ||
        audit_processes(st, host) != KUBECERT_OK)
        goto failed;
    if (host->option(host, "write-in-audit") && audit_write(host) != KUBECERT_OK) goto failed;
    return KUBECERT_OK;
failed:
    snprintf(st->last_error, sizeof st->last_error, "report_finding: %s", host->last_error(host));
    return KUBECERT_ERR_FAILED;
}

static kubecert_status_t a_fix(void* self, const kubecert_host_t* host, const char* const* ids, size_t count) {
    state_t* st = (state_t*)self;
    const char* path = host->option(host, "marker");
    size_t i;
    for (i = 0; i < count; ++i) {
        if (strcmp(ids[i], "abi13.marker") != 0) continue;
        host->begin_action(host, ids[i]);
        if (host->write_file(host, path, "fixed\n", 6, 0644, 0) != KUBECERT_OK) {
            snprintf(st->last_error, sizeof st->last_error, "%s", host->last_error(host));
            return KUBECERT_ERR_FAILED;
        }
    }
    return KUBECERT_OK;
}

static const char* a_last_error(void* self) {
    return self ? ((state_t*)self)->last_error : "out of memory";
}

static const kubecert_plugin_t k_plugin = {
    sizeof(kubecert_plugin_t),
    "abi13",
    "1.3.0",
    "a plugin built against ABI 1.3",
    k_checks,
    sizeof k_checks / sizeof k_checks[0],
    k_options,
    sizeof k_options / sizeof k_options[0],
    a_create,
    a_destroy,
    a_detect,
    a_audit,
    a_fix,
    a_last_error,
};

static const kubecert_plugin_t* a_get_plugin(const kubecert_version_t* host_abi) {
    return host_abi && host_abi->major == KUBECERT_ABI_MAJOR ? &k_plugin : NULL;
}

/* As the SDK of 1.3 did: stamped with the header it was built with. */
KUBECERT_EXPORT const kubecert_plugin_entry_t kubecert_plugin_entry = {
    {KUBECERT_ABI_MAJOR, KUBECERT_ABI_MINOR, KUBECERT_ABI_PATCH},
    sizeof(kubecert_plugin_entry_t),
    a_get_plugin,
};
