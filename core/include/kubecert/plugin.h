/*
 * kubecert plugin ABI.
 *
 * A kubecert plugin is a shared library that exports exactly one symbol,
 * `kubecert_plugin_entry`, a constant `kubecert_plugin_entry_t`. The host
 * opens the library with dlopen(RTLD_NOW | RTLD_LOCAL), reads
 * `kubecert_plugin_entry.abi` before anything else, and refuses the plugin
 * unless `abi.major == KUBECERT_ABI_MAJOR && abi.minor <= KUBECERT_ABI_MINOR`
 * of the host. Only then does it call `get_plugin()`.
 *
 * This header is plain C11 (it is compile-tested as C and as C++). Nothing
 * but C types crosses the boundary: no C++ classes, STL types or exceptions.
 *
 * Loading is inert: opening the library and calling get_plugin() must run
 * none of the plugin's own code beyond returning constant data (no global
 * constructors, no threads, no I/O), because `kubecert plugins`, `--help` and
 * the generated documentation load every plugin they find. State belongs in
 * create().
 *
 * Versioning rules (Rationale: a plugin built years ago must keep loading):
 * - `kubecert_plugin_entry.abi` is the ABI version the plugin NEEDS (as
 *   Falco's required_api_version): major, and the lowest minor whose
 *   features it cannot work without; not simply the header it was built
 *   with. The host refuses a plugin only when that minor is newer than its
 *   own. (Before ABI 1.4 the SDK stamped the header's minor; such plugins
 *   simply ask for more than they need.)
 * - Every struct that crosses the boundary by pointer starts with
 *   `struct_size`. New fields are only ever appended. A reader uses a field
 *   only when `struct_size` covers it (see KUBECERT_HAS_FIELD); fields beyond
 *   `struct_size` are absent, and bytes beyond the fields a reader knows are
 *   ignored. A reader accepts any struct_size that covers the fields of the
 *   ABI 1.0 struct (the minimum), never requires its own sizeof.
 * - An array of structs is read with the stride its writer declared, the
 *   struct_size of its first element (KUBECERT_ELEMENT), never with the
 *   reader's own sizeof. From ABI 1.4 a plugin may instead hand its checks
 *   and options out one at a time (check_count()/get_check(), CLAP style).
 * - Enumerated values travel as fixed-width integers (int32_t/uint32_t), with
 *   named constants; a reader treats an unknown value as documented there.
 * - A new minor version only appends; a major version bump breaks.
 * - A host service that not every host needs is asked for by name
 *   (get_extension(), ABI 1.4) instead of growing kubecert_host_t.
 *
 * Memory and lifetime:
 * - Strings and arrays the plugin hands to the host (declarations, findings,
 *   certificates) are copied by the host before the call returns, except the
 *   plugin descriptor returned by get_plugin() and everything it points to
 *   (checks, options, strings), which must stay valid and unchanged until
 *   the library is closed (normally: static constant data).
 * - The `kubecert_host_t *` the host passes to create() stays valid, with the
 *   same contents, until destroy() of that instance returns; detect(), audit()
 *   and fix() of that instance receive that same pointer. A plugin may keep
 *   it in its state for that long (to use from those entry points), and must
 *   not use it after destroy() or for another instance. host_data is the
 *   host's alone.
 * - Strings and buffers the host hands to the plugin (file contents, command
 *   output, certificate details, option values) are owned by the host and
 *   stay valid until the plugin entry point (create/detect/audit/fix) that
 *   received them returns. Copy what you need to keep longer.
 * - Every string is UTF-8 and NUL terminated. Byte buffers come with a size
 *   and are additionally NUL terminated for convenience.
 *
 * Phases (which host calls are allowed when): for each instance the host
 * calls create(), then detect() and/or audit(), then, in `fix` only, fix()
 * on the instance that audited, then destroy(); the after-fix audit runs on
 * a new instance. Context, reading the node, commands, certificates and
 * network services may be called from create(), detect(), audit() and
 * fix(); report_finding() and report_certificate() belong in audit(). The
 * services under "changing the node" (write_file, backup_file, park_file,
 * unpark_file, rollback, replace_symlink) are allowed in fix() only: in
 * create(), detect() and audit() (the audit after a fix included) the host
 * refuses them with KUBECERT_ERR_DENIED and a message naming the call and
 * the phase (begin_action(), which returns nothing, is ignored there). A command that changes the node
 * belongs in fix() too (the host cannot tell; it prints such a command
 * under --dry-run instead of running it). No host call is allowed from
 * get_plugin(), get_check()/get_option() or destroy(), nor from a thread
 * the plugin started.
 *
 * Threading: the host calls a plugin from one thread at a time (the host may
 * use threads of its own inside a call, e.g. cert_issue_batch).
 */
#ifndef KUBECERT_PLUGIN_H
#define KUBECERT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KUBECERT_ABI_MAJOR 1
#define KUBECERT_ABI_MINOR 5
#define KUBECERT_ABI_PATCH 0

/* The name of the one symbol a plugin exports. */
#define KUBECERT_PLUGIN_ENTRY_SYMBOL "kubecert_plugin_entry"

#if defined(_WIN32)
#define KUBECERT_EXPORT __declspec(dllexport)
#else
#define KUBECERT_EXPORT __attribute__((visibility("default")))
#endif

/* True when a struct read through `ptr` (whose first member is struct_size)
 * is large enough to contain `field`. */
#define KUBECERT_HAS_FIELD(ptr, type, field) ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* The size of `type` up to and including `field`: the smallest struct_size a
 * reader accepts when `field` is the last field of the oldest version it
 * reads (added in ABI 1.4). */
#define KUBECERT_SIZE_UNTIL(type, field) (offsetof(type, field) + sizeof(((type*)0)->field))

/* Element `index` of an array of structs whose writer declared the stride
 * `stride` (the struct_size of the first element), as a `const type *`
 * (added in ABI 1.4). Rationale: the writer's struct may be larger or
 * smaller than the reader's sizeof. */
#define KUBECERT_ELEMENT(type, base, stride, index)                                                                    \
    ((const type*)(const void*)((const char*)(base) + (size_t)(stride) * (size_t)(index)))

typedef struct kubecert_version {
    uint32_t major;
    uint32_t minor;
    uint32_t patch;
} kubecert_version_t;

/* Result of every function that can fail. Details travel as a message:
 * the host's via kubecert_host_t.last_error(), the plugin's via
 * kubecert_plugin_t.get_last_error(). */
typedef int32_t kubecert_status_t; /* int32_t from ABI 1.4 (was an enum of the same size and values) */
enum kubecert_status_value {
    KUBECERT_OK = 0,
    KUBECERT_ERR_FAILED = 1,      /* generic failure, see the message */
    KUBECERT_ERR_NOT_FOUND = 2,   /* a file, process or key does not exist */
    KUBECERT_ERR_PARSE = 3,       /* malformed input; message names file and position */
    KUBECERT_ERR_IO = 4,          /* read/write/permission problem */
    KUBECERT_ERR_DENIED = 5,      /* refused: outside --root, hostile path, policy */
    KUBECERT_ERR_TIMEOUT = 6,     /* a command, connection or wait ran out of time */
    KUBECERT_ERR_UNREACHABLE = 7, /* a network endpoint could not be reached */
    KUBECERT_ERR_INVALID = 8      /* a bad argument to a host function */
};
/* Any other non-zero value is a failure like KUBECERT_ERR_FAILED. */

/* Status of one finding: uint32_t from ABI 1.4 (was an enum of the same size
 * and values). The host reads an unknown value as KUBECERT_ERROR. */
typedef uint32_t kubecert_finding_status_t;
enum kubecert_finding_status_value {
    KUBECERT_PASS = 0,
    KUBECERT_FAIL = 1,
    KUBECERT_WARN = 2, /* passes now but needs attention */
    KUBECERT_INFO = 3, /* not applicable on this node */
    KUBECERT_ERROR = 4 /* the check could not be evaluated */
};

/* Level of a log line: uint32_t from ABI 1.4 (was an enum of the same size
 * and values). The host shows an unknown level as KUBECERT_LOG_INFO. */
typedef uint32_t kubecert_log_level_t;
enum kubecert_log_level_value {
    KUBECERT_LOG_DEBUG = 0,
    KUBECERT_LOG_INFO = 1,
    KUBECERT_LOG_WARN = 2,
    KUBECERT_LOG_ERROR = 3,
    KUBECERT_LOG_PROGRESS = 4 /* transient progress line, shown only on a terminal */
};

/* ------------------------------------------------------------------------ */
/* Data the plugin gives the host                                            */
/* ------------------------------------------------------------------------ */

/* One piece of evidence: where a value came from and what it says. Any
 * pointer may be NULL (taken as ""). The ABI 1.0 layout, without
 * struct_size, frozen: kubecert_finding_t.evidence points to an array of
 * these. From ABI 1.4 kubecert_evidence_item_t can grow. */
typedef struct kubecert_evidence {
    const char* source;   /* e.g. a file path, "cmdline", "configz" */
    const char* key;      /* e.g. "featureGates.RotateKubeletServerCertificate" */
    const char* actual;   /* what the source says */
    const char* expected; /* what the check wants ("" when only informative) */
} kubecert_evidence_t;

/* One piece of evidence with a struct_size (added in ABI 1.4), for
 * kubecert_finding_t.evidence_items: the same fields as kubecert_evidence_t,
 * and room to append more. */
typedef struct kubecert_evidence_item {
    uint32_t struct_size; /* sizeof(kubecert_evidence_item_t); the array's stride */
    const char* source;
    const char* key;
    const char* actual;
    const char* expected;
} kubecert_evidence_item_t;

/* One finding, reported through kubecert_host_t.report_finding(). The host
 * copies everything before report_finding() returns. */
typedef struct kubecert_finding {
    uint32_t struct_size; /* sizeof(kubecert_finding_t) */
    const char* id;       /* check id, e.g. "eks.rotate-server-cert" */
    const char* title;    /* one line */
    kubecert_finding_status_t status;
    const char* benchmark; /* e.g. "CIS Amazon EKS Benchmark 3.2.9", or NULL */
    const kubecert_evidence_t* evidence;
    size_t evidence_count;
    const char* remediation; /* text, may be NULL */
    int fixable;             /* non-zero when fix() can fix it */
    /* --- added in ABI 1.3 (the host reads it when struct_size covers it) --- */
    /* One line that states what is the case on this node, e.g. "expires in
     * 14d (Dec 01, 2027 04:11 UTC)" or "RotateKubeletServerCertificate=false
     * in kubelet-config.json", where `title` states what the check wants.
     * NULL or "": the host derives a line from the evidence. */
    const char* result;
    /* --- added in ABI 1.4 (the host reads them when struct_size covers them) --- */
    /* The evidence as structs with a struct_size, read with the stride of
     * evidence_items[0].struct_size. When non-NULL (and covered), the host
     * reads these and ignores `evidence`; a plugin that also runs on hosts
     * before 1.4 fills both. */
    const kubecert_evidence_item_t* evidence_items;
    size_t evidence_item_count;
} kubecert_finding_t;

/* One certificate for the `certs` table and the report's `certificates`. */
typedef struct kubecert_certificate {
    uint32_t struct_size; /* sizeof(kubecert_certificate_t) */
    const char* name;     /* e.g. "apiserver", "admin.conf", "ca" */
    const char* path;     /* node path of the file that holds it */
    const char* subject;  /* RFC 2253 style, as from kubecert_cert_info_t */
    const char* issuer;
    int64_t not_before;     /* unix seconds */
    int64_t not_after;      /* unix seconds */
    const char* authority;  /* name of the issuing CA ("ca", "etcd-ca"), or "" */
    int externally_managed; /* non-zero when its CA key is not on this node */
    int is_authority;       /* non-zero for a CA (second table of `certs`) */
} kubecert_certificate_t;

/* A plugin-declared command-line option, exposed as --<plugin>-<name>. In an
 * array, every element has the same struct_size: the stride. */
typedef struct kubecert_option_decl {
    uint32_t struct_size;      /* sizeof(kubecert_option_decl_t) */
    const char* name;          /* e.g. "api-proxy" -> --eks-api-proxy */
    const char* value_name;    /* e.g. "URL"; NULL for a boolean flag */
    const char* help;          /* one line */
    const char* default_value; /* NULL when none; ignored for flags */
} kubecert_option_decl_t;

/* A check the plugin can report. A family of ids is declared once with
 * "<name>" as its last part (e.g. "kubeadm.cert-expiry/<name>"). */
typedef struct kubecert_check_decl {
    uint32_t struct_size; /* sizeof(kubecert_check_decl_t); in an array, the stride */
    const char* id;
    const char* title;
} kubecert_check_decl_t;

/* ------------------------------------------------------------------------ */
/* Data the host gives the plugin                                            */
/* ------------------------------------------------------------------------ */

/* Bytes owned by the host, valid until the current plugin call returns.
 * `data` is NUL terminated (data[size] == 0). */
typedef struct kubecert_buffer {
    const char* data;
    size_t size;
} kubecert_buffer_t;

/* A list of strings owned by the host, valid until the current call returns. */
typedef struct kubecert_string_list {
    const char* const* items;
    size_t count;
} kubecert_string_list_t;

/* Type of a file: uint32_t from ABI 1.4 (was an enum of the same size and
 * values). A plugin reads an unknown value as KUBECERT_FILE_OTHER. */
typedef uint32_t kubecert_file_type_t;
enum kubecert_file_type_value {
    KUBECERT_FILE_MISSING = 0,
    KUBECERT_FILE_REGULAR = 1,
    KUBECERT_FILE_DIRECTORY = 2,
    KUBECERT_FILE_SYMLINK = 3, /* only from lstat_file() */
    KUBECERT_FILE_OTHER = 4
};

typedef struct kubecert_file_info {
    uint32_t struct_size; /* set by the plugin to sizeof(kubecert_file_info_t) */
    kubecert_file_type_t type;
    uint32_t mode; /* permission bits */
    uint32_t uid;
    uint32_t gid;
    uint64_t size;
    int64_t mtime; /* unix seconds */
} kubecert_file_info_t;

/* A running process found under ROOT/proc, as find_processes() hands it: the
 * ABI 1.0 layout, without struct_size, frozen. */
typedef struct kubecert_process {
    int pid;
    kubecert_string_list_t argv; /* argv[0] first */
} kubecert_process_t;

/* A running process as list_processes() hands it (added in ABI 1.4): read
 * element i with KUBECERT_ELEMENT(kubecert_process_info_t, out, out[0].struct_size, i),
 * since a newer host's struct may be larger. */
typedef struct kubecert_process_info {
    uint32_t struct_size; /* the host's sizeof(kubecert_process_info_t): the stride */
    int32_t pid;
    kubecert_string_list_t argv; /* argv[0] first */
} kubecert_process_info_t;

/* Flags of run_command(). */
#define KUBECERT_CMD_READ_ONLY 0x1u /* runs even under --dry-run (it changes nothing) */
#define KUBECERT_CMD_STREAM 0x2u    /* also stream output to the terminal as it comes */
#define KUBECERT_CMD_NO_ACTION 0x4u /* do not list it as an action in the report */

typedef struct kubecert_command_result {
    uint32_t struct_size;  /* set by the plugin to sizeof(kubecert_command_result_t) */
    int exit_code;         /* -1 when it did not run or was killed */
    int timed_out;         /* non-zero when killed at the timeout */
    int dry_run;           /* non-zero when not run because of --dry-run */
    kubecert_buffer_t out; /* standard output */
    kubecert_buffer_t err; /* standard error */
} kubecert_command_result_t;

/* Details of one X.509 certificate. Strings owned by the host. */
typedef struct kubecert_cert_info {
    uint32_t struct_size; /* set by the plugin to sizeof(kubecert_cert_info_t) */
    const char* subject;  /* RFC 2253, e.g. "CN=kube-apiserver" */
    const char* issuer;
    const char* common_name; /* subject CN or "" */
    const char* issuer_common_name;
    kubecert_string_list_t organizations; /* subject O values */
    kubecert_string_list_t sans;          /* "DNS:name" / "IP:addr" / "URI:..." / "email:..." */
    const char* key_usage;                /* e.g. "digitalSignature,keyEncipherment" */
    const char* ext_key_usage;            /* e.g. "serverAuth,clientAuth" */
    int is_ca;                            /* basicConstraints CA:TRUE */
    int self_signed;                      /* issuer == subject and self-signature verifies */
    int64_t not_before;                   /* unix seconds */
    int64_t not_after;
    const char* serial;               /* hex, upper case */
    const char* public_key_algorithm; /* "RSA", "EC", "ED25519" */
    int public_key_bits;
    const char* sha256_fingerprint; /* hex with colons, upper case */
    kubecert_buffer_t pem;          /* the certificate re-encoded as PEM */
} kubecert_cert_info_t;

/* A freshly issued certificate and key as PEM, owned by the host. */
typedef struct kubecert_issued {
    uint32_t struct_size; /* set by the plugin to sizeof(kubecert_issued_t) */
    kubecert_buffer_t cert_pem;
    kubecert_buffer_t key_pem;
} kubecert_issued_t;

/* One certificate of a cert_issue_batch() call (added in ABI 1.2). Strings
 * and buffers are the plugin's, read by the host only during the call. */
typedef struct kubecert_issue_request {
    uint32_t struct_size; /* set by the plugin to sizeof(kubecert_issue_request_t) */
    const char* tmpl;     /* the certificate to renew (PEM/DER/base64) */
    size_t tmpl_size;
    const char* ca_cert;
    size_t ca_cert_size;
    const char* ca_key;
    size_t ca_key_size;
    /* The key being replaced, or NULL: when given, the new key keeps its
     * algorithm, size and PEM encoding (PKCS#1, SEC1 or PKCS#8); without it
     * the template's algorithm and size, PKCS#1 for RSA, SEC1 for EC. */
    const char* old_key;
    size_t old_key_size;
    int64_t validity_seconds;
} kubecert_issue_request_t;

/* The outcome of one request of cert_issue_batch() (added in ABI 1.2).
 * Everything in it is owned by the host. */
typedef struct kubecert_issue_result {
    uint32_t struct_size;     /* set by the plugin to sizeof(kubecert_issue_result_t) */
    kubecert_status_t status; /* KUBECERT_OK when this one was issued */
    const char* error;        /* why not ("" when status is KUBECERT_OK) */
    kubecert_buffer_t cert_pem;
    kubecert_buffer_t key_pem;
} kubecert_issue_result_t;

typedef struct kubecert_http_response {
    uint32_t struct_size; /* set by the plugin to sizeof(kubecert_http_response_t) */
    int status;           /* HTTP status code */
    kubecert_buffer_t body;
} kubecert_http_response_t;

/* ------------------------------------------------------------------------ */
/* Host services                                                            */
/* ------------------------------------------------------------------------ */

/*
 * Everything a plugin may do to the node goes through these functions, so
 * that --root, --dry-run, backups, rollback and tests work for every plugin.
 * Paths are node paths (absolute, as on the node, e.g. "/etc/kubernetes");
 * the host resolves them inside --root, symlinks included, and refuses any
 * that would leave it (KUBECERT_ERR_DENIED).
 *
 * On failure a function returns a status other than KUBECERT_OK and
 * last_error() describes it; output parameters are then untouched.
 */
typedef struct kubecert_host kubecert_host_t;

/* Host extensions (added in ABI 1.4): optional services a plugin asks for by
 * name with get_extension(), CLAP style, so that a service not every host
 * offers does not grow kubecert_host_t. A name is "kubecert.<service>.v<N>":
 * lower case words joined by '-', and the version N of that service's
 * interface; an incompatible change is a new N, so one host may offer v1
 * and v2 side by side. Names outside "kubecert." are reserved. The returned
 * pointer is a constant struct (starting with struct_size) or table of that
 * service, valid as long as the host pointer; NULL when the host does not
 * offer it. The services this host offers: */

/* "kubecert.host-info.v1": the running kubecert itself. */
#define KUBECERT_EXT_HOST_INFO_V1 "kubecert.host-info.v1"
typedef struct kubecert_ext_host_info_v1 {
    uint32_t struct_size;   /* sizeof(kubecert_ext_host_info_v1_t) of the host */
    const char* version;    /* kubecert's own version, e.g. "0.1.0" */
    kubecert_version_t abi; /* the host's ABI, as kubecert_host_t.abi */
} kubecert_ext_host_info_v1_t;

/* "kubecert.https.v1" (added in ABI 1.5): HTTPS requests to a cluster's API
 * server (or any https:// endpoint a kubeconfig names), with the trust and
 * credentials the plugin read from that kubeconfig. The host always verifies
 * the server's certificate, against `ca_pem` only (never the system trust
 * store), and its host name or IP address (or `tls_server_name`); there is
 * no switch to turn that off. No proxy is used unless `proxy_url` names one
 * (proxy variables of the environment are ignored: a node's https_proxy must
 * not route cluster credentials elsewhere); redirects are not followed (a
 * 3xx is an answer); HTTP/1.1 or HTTP/2.
 *
 * request() returns KUBECERT_OK whenever an HTTP answer came, whatever its
 * status. Otherwise KUBECERT_ERR_UNREACHABLE (refused, no route, no such
 * host), KUBECERT_ERR_TIMEOUT (`timeout_ms` ran out), KUBECERT_ERR_FAILED (TLS
 * handshake or certificate verification failed, answer larger than
 * `max_response_bytes`), KUBECERT_ERR_INVALID (bad arguments, a URL that is
 * not https://), each with a message naming the URL and the reason (never
 * key material or the token).
 *
 * Phases: GET may be sent from create(), detect(), audit() and fix(). Any
 * other method changes the cluster, so, like write_file(): outside fix() it
 * is refused with KUBECERT_ERR_DENIED and a message naming the call and the
 * phase; under --dry-run it is not sent but listed in the report's actions
 * ("would PUT <url>", with the body's size, never its content) and returns
 * KUBECERT_OK with status 0 and dry_run 1; in a real fix it is sent and
 * listed as an action (kind "request") with the answer's status.
 *
 * The transport (libcurl) is loaded on the first request, so a run that
 * makes none does not pay for it. */
#define KUBECERT_EXT_HTTPS_V1 "kubecert.https.v1"

/* One request. Everything is the plugin's, read by the host only during the
 * call. */
typedef struct kubecert_https_request {
    uint32_t struct_size; /* sizeof(kubecert_https_request_t) of the plugin */
    const char* method;   /* "GET", "POST", "PUT", "PATCH" or "DELETE" */
    const char* url;      /* https://host[:port]/path?query */
    /* Extra header lines, "Name: value" each (no CR or LF), or NULL. */
    const char* const* headers;
    size_t header_count;
    const char* body; /* may be NULL when body_size is 0 */
    size_t body_size;
    /* The PEM CA certificate(s) the server's certificate must chain to
     * (kubeconfig certificate-authority(-data)). Required. */
    const char* ca_pem;
    size_t ca_pem_size;
    /* Client certificate (chain) and private key, PEM, for mutual TLS; NULL
     * when not used. Handed to the TLS library from memory, never written to
     * a file. */
    const char* client_cert_pem;
    size_t client_cert_pem_size;
    const char* client_key_pem;
    size_t client_key_pem_size;
    const char* bearer_token;    /* sent as "Authorization: Bearer ..."; NULL when none */
    const char* tls_server_name; /* name to verify and send as SNI instead of the URL's host; NULL */
    uint32_t timeout_ms;         /* the whole request; 0: 10 s; at most 10 min */
    uint64_t max_response_bytes; /* answers larger are an error; 0: 8 MiB; at most 1 GiB */
    const char* proxy_url;       /* kubeconfig proxy-url; NULL or "": no proxy */
} kubecert_https_request_t;

/* The answer. Strings and buffers owned by the host, valid until the plugin
 * entry point returns (like every host buffer). */
typedef struct kubecert_https_response {
    uint32_t struct_size;     /* set by the plugin to sizeof(kubecert_https_response_t) */
    int32_t status;           /* HTTP status; 0 when not sent (dry run) */
    const char* content_type; /* the Content-Type header, "" when none */
    kubecert_buffer_t body;
    int32_t dry_run; /* non-zero when not sent because of --dry-run */
} kubecert_https_response_t;

typedef struct kubecert_https_v1 {
    uint32_t struct_size; /* sizeof(kubecert_https_v1_t) of the host */
    kubecert_status_t (*request)(const kubecert_host_t* host, const kubecert_https_request_t* request,
                                 kubecert_https_response_t* out);
} kubecert_https_v1_t;

/* "kubecert.csr.v1" (added in ABI 1.5): PKCS#10 certificate signing requests
 * (a Kubernetes CertificateSigningRequest's spec.request, base64-decoded),
 * parsed by the host with OpenSSL. */
#define KUBECERT_EXT_CSR_V1 "kubecert.csr.v1"

/* What a CSR asks for. Strings and lists owned by the host, valid until the
 * plugin entry point returns. */
typedef struct kubecert_csr_info {
    uint32_t struct_size;                 /* set by the plugin to sizeof(kubecert_csr_info_t) */
    const char* subject;                  /* one line, RFC 2253 order, as `openssl req -subject -nameopt RFC2253` */
    const char* common_name;              /* subject CN, "" when none */
    kubecert_string_list_t organizations; /* subject O values, in order */
    /* Non-zero when the subject holds attributes other than CN and O (an OU,
     * an L, a second CN counts as CN). */
    int32_t any_other_subject_attributes;
    /* Requested subjectAltName entries (extension request), by type: */
    kubecert_string_list_t dns_names;
    kubecert_string_list_t ip_addresses; /* text form: "10.0.0.5", "fd00::5" */
    kubecert_string_list_t email_addresses;
    kubecert_string_list_t uris;
    const char* key_type; /* "RSA", "EC", "ED25519", "ED448", ... */
    int32_t key_bits;
    int32_t signature_valid; /* non-zero when the request's self-signature verifies */
} kubecert_csr_info_t;

typedef struct kubecert_csr_v1 {
    uint32_t struct_size; /* sizeof(kubecert_csr_v1_t) of the host */
    /* Parses one PEM "CERTIFICATE REQUEST" (the first when several). Malformed
     * input is KUBECERT_ERR_PARSE with a message naming `source` and what is
     * wrong. A request whose signature does not verify is parsed
     * (signature_valid 0), not an error. */
    kubecert_status_t (*parse)(const kubecert_host_t* host, const char* pem, size_t size, const char* source,
                               kubecert_csr_info_t* out);
} kubecert_csr_v1_t;

/* "kubecert.run.v1" (added in ABI 1.5): what this run has done so far, as the
 * host knows it, so that a plugin keeps no state of its own between the
 * instance that fixes and the new instance that audits after the fix.
 * Rationale: plugin state lives in an instance (create() .. destroy()); a
 * process-wide variable would outlive the run it describes. */
#define KUBECERT_EXT_RUN_V1 "kubecert.run.v1"

typedef struct kubecert_run_v1 {
    uint32_t struct_size; /* sizeof(kubecert_run_v1_t) of the host */
    /* 1 when this run's fix handed THIS plugin `finding_id` and the plugin's
     * fix() returned KUBECERT_OK, and the fix's changes stand; else 0.
     * - Per plugin: the ids another plugin fixed are not visible (0).
     * - Answers 1 only in the audit after a fix (the new instance). It is 0
     *   in detect(), in a plain audit, in the audit before the fix and in
     *   fix() itself (the host calls a plugin's fix() once per run, so none
     *   of its ids is done while it runs).
     * - Under --dry-run the audit after the fix previews the result through
     *   the dry-run overlay, so the ids count as they would in a real fix.
     * - When any plugin's fix() fails (or the fix is interrupted, or its
     *   changes cannot be committed) the whole fix is rolled back: the audit
     *   after it sees the node as it was, and every id answers 0, those of
     *   plugins whose own fix() succeeded included.
     * A NULL `finding_id` answers 0. */
    int32_t (*fixed_in_this_run)(const kubecert_host_t* host, const char* finding_id);
} kubecert_run_v1_t;

struct kubecert_host {
    uint32_t struct_size;   /* sizeof(kubecert_host_t) of the host */
    kubecert_version_t abi; /* the host's ABI version */
    void* host_data;        /* private to the host */

    /* --- context ---------------------------------------------------- */

    /* Message of the last failed host call; owned by the host, valid until
     * the next host call. Never NULL. */
    const char* (*last_error)(const kubecert_host_t* host);
    /* Value of the plugin's own option `name` (as declared, without the
     * --<plugin>- prefix), the declared default when not given, or NULL.
     * Flags give "true" or NULL. */
    const char* (*option)(const kubecert_host_t* host, const char* name);
    /* The evaluation instant: --now, else the current time (unix seconds). */
    int64_t (*now)(const kubecert_host_t* host);
    /* --warn-within in seconds. */
    int64_t (*warn_within)(const kubecert_host_t* host);
    /* --benchmark, or "" when not given. */
    const char* (*benchmark)(const kubecert_host_t* host);
    /* Non-zero under fix --dry-run. */
    int (*dry_run)(const kubecert_host_t* host);
    /* Non-zero under fix --no-restart. */
    int (*no_restart)(const kubecert_host_t* host);
    /* Non-zero when the check id is selected (no --check given, or a --check
     * that equals `id` or is a prefix of it ending in '/' or '.'). */
    int (*check_selected)(const kubecert_host_t* host, const char* id);
    /* Writes a line to the host's log (standard error). */
    void (*log)(const kubecert_host_t* host, kubecert_log_level_t level, const char* message);
    /* Sleeps (returns early when the run is being cancelled). */
    void (*sleep_ms)(const kubecert_host_t* host, uint32_t milliseconds);
    /* The node's host name: ROOT/etc/hostname, else the machine's. */
    const char* (*node_name)(const kubecert_host_t* host);
    /* The invoking user's home directory as a node path (SUDO_USER's when
     * run through sudo, else $HOME), or NULL. */
    const char* (*user_home)(const kubecert_host_t* host);

    /* --- results ---------------------------------------------------- */

    /* Records a finding. The host copies it. */
    kubecert_status_t (*report_finding)(const kubecert_host_t* host, const kubecert_finding_t* finding);
    /* Records a certificate for `certs` and the report. The host copies it. */
    kubecert_status_t (*report_certificate)(const kubecert_host_t* host, const kubecert_certificate_t* cert);

    /* --- reading the node ------------------------------------------- */

    /* Reads a whole file. KUBECERT_ERR_NOT_FOUND when absent. */
    kubecert_status_t (*read_file)(const kubecert_host_t* host, const char* path, kubecert_buffer_t* out);
    /* stat() (follows symlinks inside the root) and lstat(). A missing file is
     * KUBECERT_OK with type KUBECERT_FILE_MISSING. */
    kubecert_status_t (*stat_file)(const kubecert_host_t* host, const char* path, kubecert_file_info_t* out);
    kubecert_status_t (*lstat_file)(const kubecert_host_t* host, const char* path, kubecert_file_info_t* out);
    /* Names in a directory, sorted, without "." and "..". */
    kubecert_status_t (*list_dir)(const kubecert_host_t* host, const char* path, kubecert_string_list_t* out);
    /* The node path a path resolves to, symlinks followed inside the root. */
    kubecert_status_t (*resolve_path)(const kubecert_host_t* host, const char* path, const char** out);
    /* Processes under ROOT/proc whose executable name (basename of argv[0]
     * or /proc/PID/comm) equals `name`. An empty list is KUBECERT_OK. */
    kubecert_status_t (*find_processes)(const kubecert_host_t* host, const char* name, const kubecert_process_t** out,
                                        size_t* count);

    /* --- changing the node (fix only) --------------------------------- */
    /* Each of these, replace_symlink() included, is refused outside fix()
     * with KUBECERT_ERR_DENIED (see "Phases" at the top). */

    /* Attributes the actions that follow to a finding id (report `actions`). */
    void (*begin_action)(const kubecert_host_t* host, const char* finding_id);
    /* Replaces or creates a file atomically within the fix's transaction:
     * the original is backed up first, a temporary file in the same folder
     * is written, fsynced and renamed over; owner and mode of an existing
     * file are kept (`mode` applies to a new file, or is forced when
     * `force_mode` is non-zero). Under --dry-run nothing is written: the
     * host prints a unified diff, and later reads of the path see the new
     * content. Writing identical content is a no-op. */
    kubecert_status_t (*write_file)(const kubecert_host_t* host, const char* path, const char* data, size_t size,
                                    uint32_t mode, int force_mode);
    /* Copies a file into the fix's backup without changing it (before a
     * command removes it, say). */
    kubecert_status_t (*backup_file)(const kubecert_host_t* host, const char* path);
    /* Moves a file out of the node into the fix's backup folder ("parks"
     * it), and unpark_file() puts it back. The host puts back every file
     * still parked when the fix ends, whatever happens. */
    kubecert_status_t (*park_file)(const kubecert_host_t* host, const char* path);
    kubecert_status_t (*unpark_file)(const kubecert_host_t* host, const char* path);
    /* Restores every file changed so far in this fix and marks the actions
     * rolled_back. The fix may go on (to restart a service once more). */
    kubecert_status_t (*rollback)(const kubecert_host_t* host);

    /* --- commands ------------------------------------------------------ */

    /* Runs argv[0] (found on PATH) with `argc` arguments, never through a
     * shell, killed after `timeout_ms`. Under --dry-run a command without
     * KUBECERT_CMD_READ_ONLY is only printed (result.dry_run = 1, exit 0).
     * Returns KUBECERT_OK when it ran (whatever its exit code); a non-zero
     * exit is for the caller to judge, with out/err in the result. From ABI
     * 1.3, KUBECERT_ERR_DENIED when the node is not the running system (see
     * live_system()), dry run or not. */
    kubecert_status_t (*run_command)(const kubecert_host_t* host, const char* const* argv, size_t argc,
                                     uint32_t timeout_ms, uint32_t flags, kubecert_command_result_t* out);

    /* --- certificates (OpenSSL) --------------------------------------- */

    /* Parses one certificate from PEM, DER, or base64 of either (as in a
     * kubeconfig's client-certificate-data). With several PEM blocks, the
     * first. `source` names the data in error messages. */
    kubecert_status_t (*cert_parse)(const kubecert_host_t* host, const char* data, size_t size, const char* source,
                                    kubecert_cert_info_t* out);
    /* Sets *matches to non-zero when the private key (PEM/DER/base64) belongs
     * to the certificate. */
    kubecert_status_t (*key_matches_cert)(const kubecert_host_t* host, const char* key, size_t key_size,
                                          const char* cert, size_t cert_size, int* matches);
    /* Verifies `cert` against the CA certificate(s) in `ca` at the instant
     * now(). *ok is set; *reason (host-owned) says why not. */
    kubecert_status_t (*cert_verify)(const kubecert_host_t* host, const char* cert, size_t cert_size, const char* ca,
                                     size_t ca_size, int* ok, const char** reason);
    /* Issues a new key (same algorithm and size as the template's) and a
     * certificate with the template's subject, SANs, key usage and extended
     * key usage, signed by the CA, valid from now() - 5 min to now() +
     * `validity_seconds`. */
    kubecert_status_t (*cert_issue)(const kubecert_host_t* host, const char* tmpl, size_t tmpl_size,
                                    const char* ca_cert, size_t ca_cert_size, const char* ca_key, size_t ca_key_size,
                                    int64_t validity_seconds, kubecert_issued_t* out);

    /* --- network (loopback or the node's own endpoints) ----------------- */

    /* Connects with TLS to "host:port" (no verification) and returns the
     * certificate it serves. */
    kubecert_status_t (*tls_fetch_cert)(const kubecert_host_t* host, const char* address, uint32_t timeout_ms,
                                        kubecert_cert_info_t* out);
    /* HTTP(S) GET. KUBECERT_OK whenever an HTTP answer came, whatever its
     * status; KUBECERT_ERR_UNREACHABLE / KUBECERT_ERR_TIMEOUT otherwise. */
    kubecert_status_t (*http_get)(const kubecert_host_t* host, const char* url, uint32_t timeout_ms,
                                  kubecert_http_response_t* out);

    /* --- added in ABI 1.1 (check KUBECERT_HAS_FIELD(host, kubecert_host_t, working_dir)) --- */

    /* The node path of the folder kubecert was started in, when that folder
     * lies inside --root (an admin host's cluster folder, say); NULL when it
     * does not. */
    const char* (*working_dir)(const kubecert_host_t* host);

    /* --- added in ABI 1.2 (check KUBECERT_HAS_FIELD(host, kubecert_host_t, cert_issue_batch)) --- */

    /* Issues `count` certificates in one call, each as cert_issue() does
     * (plus the old key's encoding, see kubecert_issue_request_t); the keys
     * are generated concurrently. requests[i] and results[i] are pointers so
     * that each struct is read by its own struct_size. Returns KUBECERT_OK
     * when the batch ran, whatever each request's outcome (see
     * results[i]->status); another status only for bad arguments, with the
     * results untouched. */
    kubecert_status_t (*cert_issue_batch)(const kubecert_host_t* host, const kubecert_issue_request_t* const* requests,
                                          size_t count, kubecert_issue_result_t* const* results);

    /* Added in ABI 1.2 too (check KUBECERT_HAS_FIELD(host, kubecert_host_t, replace_symlink)). */
    /* Points the symbolic link `path` at `target` (stored as given, e.g. an
     * absolute node path, the way the kubelet's certificate store writes
     * kubelet-client-current.pem) within the fix's transaction: a new link is
     * made beside it and renamed over the old one, so a reader always finds
     * one of the two. The old link is kept in the fix's backup and MANIFEST;
     * rollback and `kubecert restore` put it back (or remove a link the fix
     * created). `path` must be a symlink or absent, in an existing folder.
     * Under --dry-run nothing changes: the report lists the change and later
     * reads of `path` see the target (as the fix would have written it).
     * Pointing a link at its current target is a no-op. */
    kubecert_status_t (*replace_symlink)(const kubecert_host_t* host, const char* path, const char* target);

    /* --- added in ABI 1.3 (check KUBECERT_HAS_FIELD(host, kubecert_host_t, live_system)) --- */

    /* Non-zero when the node under --root is the running system: --root is
     * "/", or ROOT/proc is a procfs showing kubecert's own PID namespace (a
     * pod with hostPID and the host mounted at /host, say); --live-system
     * yes|no overrides it. The host decides this once per run. When it is
     * zero, commands would run and loopback ports would answer on the machine
     * running kubecert, not on the node: a plugin then runs no command
     * (run_command() refuses with KUBECERT_ERR_DENIED) and probes no port
     * unless the user gave its address explicitly, reports its live checks as
     * INFO "not the running system", and plans no live step in fix.
     * `reason` may be NULL; else *reason is set to one host-owned sentence
     * saying why (valid until the next host call).
     * Rationale: one rule in the host, so that every plugin, third parties'
     * too, agrees on what a mounted image is. */
    int (*live_system)(const kubecert_host_t* host, const char** reason);

    /* --- added in ABI 1.4 (check KUBECERT_HAS_FIELD(host, kubecert_host_t, get_extension)) --- */

    /* The optional service `name` ("kubecert.<service>.v<N>", see "Host
     * extensions" above), or NULL when this host does not offer it. */
    const void* (*get_extension)(const kubecert_host_t* host, const char* name);

    /* Added in ABI 1.4 too (check KUBECERT_HAS_FIELD(host, kubecert_host_t, list_processes)). */
    /* As find_processes(), with elements that carry a struct_size (the
     * stride: read element i with KUBECERT_ELEMENT). */
    kubecert_status_t (*list_processes)(const kubecert_host_t* host, const char* name,
                                        const kubecert_process_info_t** out, size_t* count);
};

/* ------------------------------------------------------------------------ */
/* The plugin                                                               */
/* ------------------------------------------------------------------------ */

typedef struct kubecert_plugin kubecert_plugin_t;
struct kubecert_plugin {
    uint32_t struct_size;    /* sizeof(kubecert_plugin_t) of the plugin */
    const char* name;        /* unique, [a-z0-9-]+, e.g. "eks" */
    const char* version;     /* the plugin's own version, e.g. "1.0.0" */
    const char* description; /* one line */
    /* The checks and options as arrays, read with the stride of their first
     * element's struct_size. A plugin that gives get_check()/get_option()
     * (ABI 1.4) may still fill these for hosts before 1.4, which read them
     * with their own sizeof: then they must be arrays of structs exactly
     * the size of the ABI 1.0 ones. */
    const kubecert_check_decl_t* checks;
    size_t check_count;
    const kubecert_option_decl_t* options;
    size_t option_count;

    /* Creates the plugin's state for one run. Returns NULL on failure (the
     * host then reports get_last_error(NULL)). Owned by the plugin until
     * destroy(). */
    void* (*create)(const kubecert_host_t* host);
    /* Frees what create() made. */
    void (*destroy)(void* self);
    /* Sets *matches to non-zero when this node is of the plugin's flavor. */
    kubecert_status_t (*detect)(void* self, const kubecert_host_t* host, int* matches);
    /* Runs the checks and reports every finding (and certificate) through
     * the host. A check that cannot be evaluated is an ERROR finding, not a
     * failing status: a failing status means the audit as a whole broke. */
    kubecert_status_t (*audit)(void* self, const kubecert_host_t* host);
    /* Fixes the findings whose ids are given (the FAIL/WARN fixable ones of
     * the audit that ran just before on this same `self`, narrowed by
     * --check). Every change goes through the host. A failing status makes
     * the host roll the fix back. */
    kubecert_status_t (*fix)(void* self, const kubecert_host_t* host, const char* const* finding_ids, size_t count);
    /* Message of the last failing call on `self` (self may be NULL after a
     * failed create()). Owned by the plugin, valid until the next call. */
    const char* (*get_last_error)(void* self);

    /* --- added in ABI 1.4 (the host reads them when struct_size covers them) --- */

    /* The checks and options one at a time, CLAP style: count() then
     * get(index) for index < count(). Each returns a struct with its own
     * struct_size, valid until the library is closed. When both of a pair
     * are non-NULL the host uses them and ignores the array fields above;
     * when NULL, it reads the arrays. Called without an instance (like
     * get_plugin(), they must be inert). */
    uint32_t (*get_check_count)(const kubecert_plugin_t* plugin);
    const kubecert_check_decl_t* (*get_check)(const kubecert_plugin_t* plugin, uint32_t index);
    uint32_t (*get_option_count)(const kubecert_plugin_t* plugin);
    const kubecert_option_decl_t* (*get_option)(const kubecert_plugin_t* plugin, uint32_t index);
};

/* The one exported symbol's type. */
typedef struct kubecert_plugin_entry {
    /* The ABI version the plugin needs, read first: KUBECERT_ABI_MAJOR and the
     * lowest minor whose features it cannot do without (see "Versioning
     * rules"). Older plugins stamped the KUBECERT_ABI_* they were built with. */
    kubecert_version_t abi;
    uint32_t struct_size; /* sizeof(kubecert_plugin_entry_t) */
    /* Returns the plugin descriptor, or NULL when the plugin cannot work with
     * this host's ABI. Valid until the library is closed. Inert: it returns
     * constant data and calls nothing of the host. */
    const kubecert_plugin_t* (*get_plugin)(const kubecert_version_t* host_abi);
} kubecert_plugin_entry_t;

#ifdef __cplusplus
}
#endif

#endif /* KUBECERT_PLUGIN_H */
