/* A minimal kubecert plugin written in plain C11: proves the ABI needs no
 * C++, and gives the core's tests a plugin whose behaviour they control.
 *
 * Node layout it looks at (under --root): /etc/testgood/{a,b,c}.conf must
 * each contain "ok\n" (checks testgood.a, testgood.b, testgood.c, fixable);
 * /etc/testgood/cert.pem, when present, is reported as a certificate with an
 * expiry finding testgood.cert.
 * Options: --testgood-fail-after N makes fix fail after N edits;
 * --testgood-run PROGRAM makes fix run "PROGRAM restart" after its edits. */
#include <kubecert/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct state {
    char last_error[256];
} state_t;

static const char* const k_names[3] = {"a", "b", "c"};

static const kubecert_check_decl_t k_checks[] = {
    {sizeof(kubecert_check_decl_t), "testgood.a", "a.conf says ok"},
    {sizeof(kubecert_check_decl_t), "testgood.b", "b.conf says ok"},
    {sizeof(kubecert_check_decl_t), "testgood.c", "c.conf says ok"},
    {sizeof(kubecert_check_decl_t), "testgood.cert", "cert.pem is not expiring"},
};

static const kubecert_option_decl_t k_options[] = {
    {sizeof(kubecert_option_decl_t), "fail-after", "N", "fail the fix after N edits", NULL},
    {sizeof(kubecert_option_decl_t), "run", "PROGRAM", "run PROGRAM restart after the edits", NULL},
};

static void* tg_create(const kubecert_host_t* host) {
    (void)host;
    return calloc(1, sizeof(state_t));
}

static void tg_destroy(void* self) {
    free(self);
}

static kubecert_status_t tg_detect(void* self, const kubecert_host_t* host, int* matches) {
    kubecert_file_info_t info;
    (void)self;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    if (host->stat_file(host, "/etc/testgood", &info) != KUBECERT_OK) return KUBECERT_ERR_FAILED;
    *matches = info.type == KUBECERT_FILE_DIRECTORY;
    return KUBECERT_OK;
}

static void path_of(char* out, size_t size, const char* name) {
    snprintf(out, size, "/etc/testgood/%s.conf", name);
}

static kubecert_status_t audit_cert(state_t* st, const kubecert_host_t* host) {
    kubecert_buffer_t pem;
    kubecert_cert_info_t info;
    kubecert_certificate_t cert;
    kubecert_finding_t f;
    kubecert_evidence_t ev;
    kubecert_status_t rc = host->read_file(host, "/etc/testgood/cert.pem", &pem);
    int64_t now = host->now(host);
    if (rc == KUBECERT_ERR_NOT_FOUND) return KUBECERT_OK;
    memset(&f, 0, sizeof f);
    f.struct_size = sizeof f;
    f.id = "testgood.cert";
    f.title = "cert.pem is not expiring";
    if (rc == KUBECERT_OK) {
        memset(&info, 0, sizeof info);
        info.struct_size = sizeof info;
        rc = host->cert_parse(host, pem.data, pem.size, "/etc/testgood/cert.pem", &info);
    }
    if (rc != KUBECERT_OK) {
        ev.source = "/etc/testgood/cert.pem";
        ev.key = "certificate";
        ev.actual = host->last_error(host);
        ev.expected = "a PEM certificate";
        f.status = KUBECERT_ERROR;
        f.evidence = &ev;
        f.evidence_count = 1;
        return host->report_finding(host, &f);
    }
    memset(&cert, 0, sizeof cert);
    cert.struct_size = sizeof cert;
    cert.name = "testgood-cert";
    cert.path = "/etc/testgood/cert.pem";
    cert.subject = info.subject;
    cert.issuer = info.issuer;
    cert.not_before = info.not_before;
    cert.not_after = info.not_after;
    cert.authority = "";
    if (host->report_certificate(host, &cert) != KUBECERT_OK) return KUBECERT_ERR_FAILED;
    f.status = info.not_after <= now                             ? KUBECERT_FAIL
               : info.not_after - now <= host->warn_within(host) ? KUBECERT_WARN
                                                                 : KUBECERT_PASS;
    ev.source = "/etc/testgood/cert.pem";
    ev.key = "subject";
    ev.actual = info.subject;
    ev.expected = "";
    f.evidence = &ev;
    f.evidence_count = 1;
    (void)st;
    return host->report_finding(host, &f);
}

static kubecert_status_t tg_audit(void* self, const kubecert_host_t* host) {
    state_t* st = (state_t*)self;
    int i;
    for (i = 0; i < 3; ++i) {
        char path[64], id[32], title[64];
        kubecert_buffer_t buf;
        kubecert_finding_t f;
        kubecert_evidence_t ev;
        kubecert_status_t rc;
        path_of(path, sizeof path, k_names[i]);
        snprintf(id, sizeof id, "testgood.%s", k_names[i]);
        snprintf(title, sizeof title, "%s.conf says ok", k_names[i]);
        rc = host->read_file(host, path, &buf);
        memset(&f, 0, sizeof f);
        f.struct_size = sizeof f;
        f.id = id;
        f.title = title;
        ev.source = path;
        ev.key = "content";
        ev.expected = "ok";
        if (rc == KUBECERT_OK) {
            int ok = buf.size == 3 && memcmp(buf.data, "ok\n", 3) == 0;
            f.status = ok ? KUBECERT_PASS : KUBECERT_FAIL;
            f.fixable = !ok;
            ev.actual = buf.data;
            f.remediation = ok ? NULL : "write ok into the file";
        } else if (rc == KUBECERT_ERR_NOT_FOUND) {
            f.status = KUBECERT_INFO;
            ev.actual = "absent";
        } else {
            f.status = KUBECERT_ERROR;
            ev.actual = host->last_error(host);
        }
        f.evidence = &ev;
        f.evidence_count = 1;
        if (host->report_finding(host, &f) != KUBECERT_OK) {
            snprintf(st->last_error, sizeof st->last_error, "report_finding: %s", host->last_error(host));
            return KUBECERT_ERR_FAILED;
        }
    }
    return audit_cert(st, host);
}

static kubecert_status_t tg_fix(void* self, const kubecert_host_t* host, const char* const* ids, size_t count) {
    state_t* st = (state_t*)self;
    const char* fail_after = host->option(host, "fail-after");
    const char* run = host->option(host, "run");
    long limit = fail_after ? strtol(fail_after, NULL, 10) : -1;
    long edits = 0;
    size_t i;
    for (i = 0; i < count; ++i) {
        char path[64];
        if (strncmp(ids[i], "testgood.", 9) != 0 || strlen(ids[i]) != 10) continue;
        if (limit >= 0 && edits >= limit) {
            snprintf(st->last_error, sizeof st->last_error, "injected failure after %ld edits", edits);
            return KUBECERT_ERR_FAILED;
        }
        path_of(path, sizeof path, ids[i] + 9);
        host->begin_action(host, ids[i]);
        if (host->write_file(host, path, "ok\n", 3, 0644, 0) != KUBECERT_OK) {
            snprintf(st->last_error, sizeof st->last_error, "%s", host->last_error(host));
            return KUBECERT_ERR_FAILED;
        }
        ++edits;
    }
    if (run && edits > 0 && !host->no_restart(host)) {
        const char* argv[] = {run, "restart", NULL};
        kubecert_command_result_t r;
        memset(&r, 0, sizeof r);
        r.struct_size = sizeof r;
        if (host->run_command(host, argv, 2, 10000, 0, &r) != KUBECERT_OK) {
            snprintf(st->last_error, sizeof st->last_error, "%s", host->last_error(host));
            return KUBECERT_ERR_FAILED;
        }
        if (!r.dry_run && r.exit_code != 0) {
            snprintf(st->last_error, sizeof st->last_error, "%s restart failed with exit code %d", run, r.exit_code);
            return KUBECERT_ERR_FAILED;
        }
    }
    return KUBECERT_OK;
}

static const char* tg_last_error(void* self) {
    return self ? ((state_t*)self)->last_error : "out of memory";
}

static const kubecert_plugin_t k_plugin = {
    sizeof(kubecert_plugin_t),
    "testgood",
    "1.2.3",
    "test plugin written in C",
    k_checks,
    sizeof k_checks / sizeof k_checks[0],
    k_options,
    sizeof k_options / sizeof k_options[0],
    tg_create,
    tg_destroy,
    tg_detect,
    tg_audit,
    tg_fix,
    tg_last_error,
    NULL,
    NULL,
    NULL,
    NULL, /* no get_check()/get_option() (ABI 1.4): the host reads the arrays */
};

static const kubecert_plugin_t* tg_get_plugin(const kubecert_version_t* host_abi) {
    return host_abi && host_abi->major == KUBECERT_ABI_MAJOR ? &k_plugin : NULL;
}

#ifndef TESTGOOD_ABI_MAJOR
#define TESTGOOD_ABI_MAJOR KUBECERT_ABI_MAJOR
#endif
#ifndef TESTGOOD_ABI_MINOR
#define TESTGOOD_ABI_MINOR KUBECERT_ABI_MINOR
#endif

KUBECERT_EXPORT const kubecert_plugin_entry_t kubecert_plugin_entry = {
    {TESTGOOD_ABI_MAJOR, TESTGOOD_ABI_MINOR, KUBECERT_ABI_PATCH},
    sizeof(kubecert_plugin_entry_t),
    tg_get_plugin,
};
