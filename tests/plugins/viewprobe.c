/* A plugin whose fix checks that every reader of the host (read_file,
 * stat_file, lstat_file, list_dir, resolve_path) sees the same node after
 * each change: a new file written, a file parked and put back. Any reader
 * that disagrees makes the fix fail with a message naming it.
 *
 * Node: /etc/probe (a folder) holding old.conf and current -> old.conf.
 * Check probe.new: /etc/probe/new.conf exists (fixable: the fix writes it). */
#include <kubecert/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct state {
    char last_error[512];
} state_t;

static const kubecert_check_decl_t k_checks[] = {
    {sizeof(kubecert_check_decl_t), "probe.new", "new.conf exists"},
};

static void* p_create(const kubecert_host_t* host) {
    (void)host;
    return calloc(1, sizeof(state_t));
}

static void p_destroy(void* self) {
    free(self);
}

static kubecert_status_t p_detect(void* self, const kubecert_host_t* host, int* matches) {
    kubecert_file_info_t info;
    (void)self;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    if (host->stat_file(host, "/etc/probe", &info) != KUBECERT_OK) return KUBECERT_ERR_FAILED;
    *matches = info.type == KUBECERT_FILE_DIRECTORY;
    return KUBECERT_OK;
}

static kubecert_status_t p_audit(void* self, const kubecert_host_t* host) {
    kubecert_buffer_t buf;
    kubecert_finding_t f;
    int present = host->read_file(host, "/etc/probe/new.conf", &buf) == KUBECERT_OK;
    (void)self;
    memset(&f, 0, sizeof f);
    f.struct_size = sizeof f;
    f.id = "probe.new";
    f.title = "new.conf exists";
    f.status = present ? KUBECERT_PASS : KUBECERT_FAIL;
    f.fixable = !present;
    return host->report_finding(host, &f);
}

static int listed(const kubecert_host_t* host, const char* folder, const char* name) {
    kubecert_string_list_t list;
    size_t i;
    if (host->list_dir(host, folder, &list) != KUBECERT_OK) return -1;
    for (i = 0; i < list.count; ++i)
        if (strcmp(list.items[i], name) == 0) return 1;
    return 0;
}

static kubecert_file_type_t type_of(const kubecert_host_t* host, const char* path, int follow, uint64_t* size) {
    kubecert_file_info_t info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    if ((follow ? host->stat_file : host->lstat_file)(host, path, &info) != KUBECERT_OK) return KUBECERT_FILE_OTHER;
    if (size) *size = info.size;
    return info.type;
}

/* Empty when every reader agrees that `name` in /etc/probe is a file of `size` bytes (present) or absent. */
static const char* disagreement(const kubecert_host_t* host, const char* name, int present, uint64_t size) {
    char path[128];
    kubecert_buffer_t buf;
    const char* resolved = NULL;
    uint64_t seen = 0;
    kubecert_file_type_t want = present ? KUBECERT_FILE_REGULAR : KUBECERT_FILE_MISSING;
    snprintf(path, sizeof path, "/etc/probe/%s", name);
    if ((host->read_file(host, path, &buf) == KUBECERT_OK) != present) return "read_file";
    if (present && buf.size != size) return "read_file size";
    if (type_of(host, path, 1, &seen) != want) return "stat_file";
    if (present && seen != size) return "stat_file size";
    if (type_of(host, path, 0, NULL) != want) return "lstat_file";
    if (listed(host, "/etc/probe", name) != present) return "list_dir";
    if (host->resolve_path(host, path, &resolved) != KUBECERT_OK || strcmp(resolved, path) != 0) return "resolve_path";
    return "";
}

static kubecert_status_t mismatch(state_t* st, const char* step, const char* reader) {
    snprintf(st->last_error, sizeof st->last_error, "after %s, %s disagrees with the other readers", step, reader);
    return KUBECERT_ERR_FAILED;
}

static kubecert_status_t p_fix(void* self, const kubecert_host_t* host, const char* const* ids, size_t count) {
    state_t* st = (state_t*)self;
    const char* why;
    (void)ids;
    (void)count;
    host->begin_action(host, "probe.new");
    if (host->write_file(host, "/etc/probe/new.conf", "0123456789", 10, 0644, 0) != KUBECERT_OK)
        return mismatch(st, "write_file", host->last_error(host));
    if (*(why = disagreement(host, "new.conf", 1, 10))) return mismatch(st, "writing new.conf", why);
    if (host->park_file(host, "/etc/probe/old.conf") != KUBECERT_OK)
        return mismatch(st, "park_file", host->last_error(host));
    if (*(why = disagreement(host, "old.conf", 0, 0))) return mismatch(st, "parking old.conf", why);
    /* The link to the parked file leads nowhere now. */
    if (type_of(host, "/etc/probe/current", 1, NULL) != KUBECERT_FILE_MISSING)
        return mismatch(st, "parking", "stat of the link");
    if (host->unpark_file(host, "/etc/probe/old.conf") != KUBECERT_OK)
        return mismatch(st, "unpark_file", host->last_error(host));
    if (*(why = disagreement(host, "old.conf", 1, 4))) return mismatch(st, "putting old.conf back", why);
    return KUBECERT_OK;
}

static const char* p_last_error(void* self) {
    return self ? ((state_t*)self)->last_error : "out of memory";
}

static const kubecert_plugin_t k_plugin = {
    sizeof(kubecert_plugin_t),
    "viewprobe",
    "1.0.0",
    "checks that the host's readers agree",
    k_checks,
    1,
    NULL,
    0,
    p_create,
    p_destroy,
    p_detect,
    p_audit,
    p_fix,
    p_last_error,
    NULL,
    NULL,
    NULL,
    NULL, /* ABI 1.4 accessors: the arrays above suffice */
};

static const kubecert_plugin_t* p_get_plugin(const kubecert_version_t* host_abi) {
    return host_abi && host_abi->major == KUBECERT_ABI_MAJOR ? &k_plugin : NULL;
}

KUBECERT_EXPORT const kubecert_plugin_entry_t kubecert_plugin_entry = {
    {KUBECERT_ABI_MAJOR, KUBECERT_ABI_MINOR, KUBECERT_ABI_PATCH},
    sizeof(kubecert_plugin_entry_t),
    p_get_plugin,
};
