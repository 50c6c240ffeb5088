/* A plugin that reports what the host's kubecert.run.v1 says this run has
 * fixed (tests/e2e/test_run_extension.cpp). Built twice, as "runprobe" and
 * "runpeer" (RUNPROBE_NAME, RUNPROBE_PEER), so a run holds two plugins that
 * each ask about the other's ids too.
 *
 * Node: the folder /etc/NAME. Checks:
 *   NAME.fixme  /etc/NAME/fixed exists (FAIL and fixable until then: fix writes it)
 *   NAME.spare  always FAIL, not fixable: a finding of this plugin that no fix is handed
 *   NAME.run    INFO; its result is what kubecert.run.v1 answers in this audit:
 *               "fixme=1 spare=0 peer=0 null=0" (peer: PEER.fixme; null: a NULL id),
 *               or "no kubecert.run.v1" when the host does not offer it.
 * fix writes /etc/NAME/fixed holding "fixed-in-fix=N\n", N what the service
 * answered for NAME.fixme during fix(); --NAME-fail makes fix fail after that
 * write (the run then rolls back). */
#include <kubecert/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef RUNPROBE_NAME
#define RUNPROBE_NAME "runprobe"
#endif
#ifndef RUNPROBE_PEER
#define RUNPROBE_PEER "runpeer"
#endif

#define FOLDER "/etc/" RUNPROBE_NAME
#define FIXME_ID RUNPROBE_NAME ".fixme"
#define SPARE_ID RUNPROBE_NAME ".spare"
#define RUN_ID RUNPROBE_NAME ".run"

typedef struct state {
    char last_error[256];
} state_t;

static const kubecert_check_decl_t k_checks[] = {
    {sizeof(kubecert_check_decl_t), FIXME_ID, "the fix has written its marker"},
    {sizeof(kubecert_check_decl_t), SPARE_ID, "a finding no fix is handed"},
    {sizeof(kubecert_check_decl_t), RUN_ID, "what kubecert.run.v1 says this run fixed"},
};

static const kubecert_option_decl_t k_options[] = {
    {sizeof(kubecert_option_decl_t), "fail", NULL, "fail the fix after writing the marker", NULL},
};

static const kubecert_run_v1_t* run_service(const kubecert_host_t* host) {
    const kubecert_run_v1_t* run = (const kubecert_run_v1_t*)host->get_extension(host, KUBECERT_EXT_RUN_V1);
    return run && KUBECERT_HAS_FIELD(run, kubecert_run_v1_t, fixed_in_this_run) ? run : NULL;
}

static int fixed(const kubecert_host_t* host, const char* id) {
    const kubecert_run_v1_t* run = run_service(host);
    return run ? run->fixed_in_this_run(host, id) : -1;
}

static void* rp_create(const kubecert_host_t* host) {
    (void)host;
    return calloc(1, sizeof(state_t));
}

static void rp_destroy(void* self) {
    free(self);
}

static kubecert_status_t rp_detect(void* self, const kubecert_host_t* host, int* matches) {
    kubecert_file_info_t info;
    (void)self;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    if (host->stat_file(host, FOLDER, &info) != KUBECERT_OK) return KUBECERT_ERR_FAILED;
    *matches = info.type == KUBECERT_FILE_DIRECTORY;
    return KUBECERT_OK;
}

static kubecert_status_t report(const kubecert_host_t* host, const char* id, kubecert_finding_status_t status,
                                int fixable, const char* result) {
    kubecert_finding_t f;
    memset(&f, 0, sizeof f);
    f.struct_size = sizeof f;
    f.id = id;
    f.title = id;
    f.status = status;
    f.fixable = fixable;
    f.result = result;
    return host->report_finding(host, &f);
}

static kubecert_status_t rp_audit(void* self, const kubecert_host_t* host) {
    kubecert_buffer_t buf;
    char answers[128];
    const int done = host->read_file(host, FOLDER "/fixed", &buf) == KUBECERT_OK;
    (void)self;
    if (!run_service(host))
        snprintf(answers, sizeof answers, "no kubecert.run.v1");
    else
        snprintf(answers, sizeof answers, "fixme=%d spare=%d peer=%d null=%d", fixed(host, FIXME_ID),
                 fixed(host, SPARE_ID), fixed(host, RUNPROBE_PEER ".fixme"), fixed(host, NULL));
    if (report(host, FIXME_ID, done ? KUBECERT_PASS : KUBECERT_FAIL, !done, done ? "written" : "absent") !=
            KUBECERT_OK ||
        report(host, SPARE_ID, KUBECERT_FAIL, 0, "never fixed") != KUBECERT_OK ||
        report(host, RUN_ID, KUBECERT_INFO, 0, answers) != KUBECERT_OK)
        return KUBECERT_ERR_FAILED;
    return KUBECERT_OK;
}

static kubecert_status_t rp_fix(void* self, const kubecert_host_t* host, const char* const* ids, size_t count) {
    state_t* st = (state_t*)self;
    char marker[32];
    size_t i;
    for (i = 0; i < count; ++i) {
        if (strcmp(ids[i], FIXME_ID) != 0) continue;
        snprintf(marker, sizeof marker, "fixed-in-fix=%d\n", fixed(host, FIXME_ID));
        host->begin_action(host, ids[i]);
        if (host->write_file(host, FOLDER "/fixed", marker, strlen(marker), 0644, 0) != KUBECERT_OK) {
            snprintf(st->last_error, sizeof st->last_error, "%s", host->last_error(host));
            return KUBECERT_ERR_FAILED;
        }
    }
    if (host->option(host, "fail")) {
        snprintf(st->last_error, sizeof st->last_error, "injected failure (--%s-fail)", RUNPROBE_NAME);
        return KUBECERT_ERR_FAILED;
    }
    return KUBECERT_OK;
}

static const char* rp_last_error(void* self) {
    return self ? ((state_t*)self)->last_error : "out of memory";
}

static const kubecert_plugin_t k_plugin = {
    sizeof(kubecert_plugin_t),
    RUNPROBE_NAME,
    "1.0.0",
    "reports what kubecert.run.v1 says this run fixed",
    k_checks,
    sizeof k_checks / sizeof k_checks[0],
    k_options,
    sizeof k_options / sizeof k_options[0],
    rp_create,
    rp_destroy,
    rp_detect,
    rp_audit,
    rp_fix,
    rp_last_error,
    NULL,
    NULL,
    NULL,
    NULL,
};

static const kubecert_plugin_t* rp_get_plugin(const kubecert_version_t* host_abi) {
    return host_abi && host_abi->major == KUBECERT_ABI_MAJOR ? &k_plugin : NULL;
}

/* Needs 1.4 (get_extension); probes for kubecert.run.v1 itself. */
KUBECERT_EXPORT const kubecert_plugin_entry_t kubecert_plugin_entry = {
    {KUBECERT_ABI_MAJOR, 4, KUBECERT_ABI_PATCH},
    sizeof(kubecert_plugin_entry_t),
    rp_get_plugin,
};
