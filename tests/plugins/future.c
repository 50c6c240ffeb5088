/* A plugin "built tomorrow": its header has appended fields everywhere, so
 * its descriptor, check and option declarations, findings and evidence items
 * are larger than today's host knows, and it expects a host table with a
 * service today's host lacks. Today's host must read it with its strides,
 * ignore the trailing fields, and the plugin must see the missing service
 * as absent (KUBECERT_HAS_FIELD).
 *
 * FUTURE_ACCESSORS: declarations only through get_check()/get_option()
 * (arrays NULL); else arrays of the larger structs. FUTURE_MINOR: the minor
 * it needs (default 4; one beyond the host's is refused).
 *
 * Node layout (under --root): /etc/future/ (detect); processes named abi13d
 * under ROOT/proc. */
#include <kubecert/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUTURE_MINOR
#define FUTURE_MINOR 4
#endif

/* Tomorrow's structs: today's, plus fields appended. */
typedef struct future_check_decl {
    kubecert_check_decl_t today;
    const char* severity;
    uint64_t reserved[3];
} future_check_decl_t;

typedef struct future_option_decl {
    kubecert_option_decl_t today;
    const char* env_name;
    uint64_t reserved[5];
} future_option_decl_t;

typedef struct future_plugin {
    kubecert_plugin_t today;
    void (*future_hook)(void);
    const char* homepage;
} future_plugin_t;

typedef struct future_evidence_item {
    kubecert_evidence_item_t today;
    const char* unit;
    uint64_t reserved[2];
} future_evidence_item_t;

typedef struct future_finding {
    kubecert_finding_t today;
    const char* future_note;
    uint64_t reserved[4];
} future_finding_t;

typedef struct future_host {
    kubecert_host_t today;
    int (*future_service)(const kubecert_host_t* host);
} future_host_t;

typedef struct state {
    char last_error[256];
    char text[512];
} state_t;

#define S(x) sizeof(x)
static const future_check_decl_t k_checks[] = {
    {{S(future_check_decl_t), "future.items", "evidence items are read with their stride"}, "high", {1, 2, 3}},
    {{S(future_check_decl_t), "future.host", "a service this host lacks is absent"}, "low", {4, 5, 6}},
    {{S(future_check_decl_t), "future.extension", "extensions are asked for by name"}, "low", {7, 8, 9}},
    {{S(future_check_decl_t), "future.processes", "processes are read with the host's stride"}, "low", {0, 0, 0}},
};

static const future_option_decl_t k_options[] = {
    {{S(future_option_decl_t), "level", "N", "a level", "7"}, "FUTURE_LEVEL", {1, 2, 3, 4, 5}},
    {{S(future_option_decl_t), "loud", NULL, "a flag", NULL}, "FUTURE_LOUD", {6, 7, 8, 9, 10}},
};
#define COUNT(a) (sizeof a / sizeof a[0])

static void* f_create(const kubecert_host_t* host) {
    (void)host;
    return calloc(1, sizeof(state_t));
}

static void f_destroy(void* self) {
    free(self);
}

static kubecert_status_t f_detect(void* self, const kubecert_host_t* host, int* matches) {
    kubecert_file_info_t info;
    (void)self;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    if (host->stat_file(host, "/etc/future", &info) != KUBECERT_OK) return KUBECERT_ERR_FAILED;
    *matches = info.type == KUBECERT_FILE_DIRECTORY;
    return KUBECERT_OK;
}

static kubecert_status_t report(const kubecert_host_t* host, const char* id, kubecert_finding_status_t status,
                                const char* result, const future_evidence_item_t* items, size_t n) {
    /* The 1.0 array says something else: a host that reads items must not show it. */
    static const kubecert_evidence_t legacy = {"legacy", "legacy", "legacy", "legacy"};
    future_finding_t f;
    memset(&f, 0, sizeof f);
    f.today.struct_size = sizeof f;
    f.today.id = id;
    f.today.title = id;
    f.today.status = status;
    f.today.evidence = &legacy;
    f.today.evidence_count = 1;
    f.today.result = result;
    f.today.evidence_items = n ? &items[0].today : NULL;
    f.today.evidence_item_count = n;
    f.future_note = "ignored by today's host";
    return host->report_finding(host, &f.today);
}

static kubecert_status_t audit_items(const kubecert_host_t* host) {
    future_evidence_item_t items[3];
    const char* level = host->option(host, "level");
    int i;
    memset(items, 0, sizeof items);
    for (i = 0; i < 3; ++i) {
        items[i].today.struct_size = sizeof(future_evidence_item_t);
        items[i].unit = "ignored";
    }
    items[0].today.source = "future";
    items[0].today.key = "first";
    items[0].today.actual = "one";
    items[1].today.source = "future";
    items[1].today.key = "second";
    items[1].today.actual = "two";
    items[2].today.source = "option";
    items[2].today.key = "level";
    items[2].today.actual = level ? level : "(none)";
    items[2].today.expected = "7";
    return report(host, "future.items", KUBECERT_PASS, "three items", items, 3);
}

static kubecert_status_t audit_host(state_t* st, const kubecert_host_t* host) {
    int has_today = KUBECERT_HAS_FIELD(host, kubecert_host_t, list_processes);
    int has_future = KUBECERT_HAS_FIELD(host, future_host_t, future_service);
    snprintf(st->text, sizeof st->text, "list_processes %s, future_service %s", has_today ? "present" : "absent",
             has_future ? "present" : "absent");
    return report(host, "future.host", has_today && !has_future ? KUBECERT_PASS : KUBECERT_FAIL, st->text, NULL, 0);
}

static kubecert_status_t audit_extension(state_t* st, const kubecert_host_t* host) {
    const void* unknown = host->get_extension(host, "kubecert.no-such-service.v1");
    const kubecert_ext_host_info_v1_t* info =
        (const kubecert_ext_host_info_v1_t*)host->get_extension(host, KUBECERT_EXT_HOST_INFO_V1);
    int ok = unknown == NULL && info && KUBECERT_HAS_FIELD(info, kubecert_ext_host_info_v1_t, abi) && info->version &&
             info->abi.major == KUBECERT_ABI_MAJOR;
    snprintf(st->text, sizeof st->text, "unknown name: %s; %s: kubecert %s, ABI %u.%u", unknown ? "found" : "NULL",
             KUBECERT_EXT_HOST_INFO_V1, info && info->version ? info->version : "(none)",
             info ? (unsigned)info->abi.major : 0u, info ? (unsigned)info->abi.minor : 0u);
    return report(host, "future.extension", ok ? KUBECERT_PASS : KUBECERT_FAIL, st->text, NULL, 0);
}

static kubecert_status_t audit_processes(state_t* st, const kubecert_host_t* host) {
    const kubecert_process_info_t* ps = NULL;
    size_t n = 0, i, used = 0;
    if (host->list_processes(host, "abi13d", &ps, &n) != KUBECERT_OK)
        return report(host, "future.processes", KUBECERT_ERROR, host->last_error(host), NULL, 0);
    st->text[0] = 0;
    for (i = 0; i < n && used < sizeof st->text; ++i) {
        const kubecert_process_info_t* p = KUBECERT_ELEMENT(kubecert_process_info_t, ps, ps[0].struct_size, i);
        used += (size_t)snprintf(st->text + used, sizeof st->text - used, "%s%d %s", i ? ", " : "", (int)p->pid,
                                 p->argv.count > 1 ? p->argv.items[1] : "-");
    }
    return report(host, "future.processes", KUBECERT_PASS, st->text, NULL, 0);
}

static kubecert_status_t f_audit(void* self, const kubecert_host_t* host) {
    state_t* st = (state_t*)self;
    if (audit_items(host) == KUBECERT_OK && audit_host(st, host) == KUBECERT_OK &&
        audit_extension(st, host) == KUBECERT_OK && audit_processes(st, host) == KUBECERT_OK)
        return KUBECERT_OK;
    snprintf(st->last_error, sizeof st->last_error, "report_finding: %s", host->last_error(host));
    return KUBECERT_ERR_FAILED;
}

static kubecert_status_t f_fix(void* self, const kubecert_host_t* host, const char* const* ids, size_t count) {
    (void)self;
    (void)host;
    (void)ids;
    (void)count;
    return KUBECERT_OK;
}

static const char* f_last_error(void* self) {
    return self ? ((state_t*)self)->last_error : "out of memory";
}

#ifdef FUTURE_ACCESSORS
static uint32_t f_check_count(const kubecert_plugin_t* p) {
    (void)p;
    return COUNT(k_checks);
}
static const kubecert_check_decl_t* f_get_check(const kubecert_plugin_t* p, uint32_t i) {
    (void)p;
    return i < COUNT(k_checks) ? &k_checks[i].today : NULL;
}
static uint32_t f_option_count(const kubecert_plugin_t* p) {
    (void)p;
    return COUNT(k_options);
}
static const kubecert_option_decl_t* f_get_option(const kubecert_plugin_t* p, uint32_t i) {
    (void)p;
    return i < COUNT(k_options) ? &k_options[i].today : NULL;
}
#endif

static void f_future_hook(void) {}

static const future_plugin_t k_plugin = {
    {
        sizeof(future_plugin_t),
        "future",
        "9.0.0",
        "a plugin built against a future ABI",
#ifdef FUTURE_ACCESSORS
        NULL,
        0,
        NULL,
        0,
#else
        &k_checks[0].today,
        COUNT(k_checks),
        &k_options[0].today,
        COUNT(k_options),
#endif
        f_create,
        f_destroy,
        f_detect,
        f_audit,
        f_fix,
        f_last_error,
#ifdef FUTURE_ACCESSORS
        f_check_count,
        f_get_check,
        f_option_count,
        f_get_option,
#else
        NULL,
        NULL,
        NULL,
        NULL,
#endif
    },
    f_future_hook,
    "https://example.invalid/future",
};

static const kubecert_plugin_t* f_get_plugin(const kubecert_version_t* host_abi) {
    return host_abi && host_abi->major == KUBECERT_ABI_MAJOR ? &k_plugin.today : NULL;
}

KUBECERT_EXPORT const kubecert_plugin_entry_t kubecert_plugin_entry = {
    {KUBECERT_ABI_MAJOR, FUTURE_MINOR, 0},
    sizeof(kubecert_plugin_entry_t),
    f_get_plugin,
};
