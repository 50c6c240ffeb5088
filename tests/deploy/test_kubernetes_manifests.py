#!/usr/bin/env python3
"""deploy/kubernetes: parses every manifest and checks what the README and
issue 13 promise of them.

    test_kubernetes_manifests.py SOURCE_DIR [BUILD_DIR]

Each kustomization is also built with `kubectl kustomize` when kubectl is
installed (offline), and the built output is checked the same way. With
BUILD_DIR, each fix Job's arguments are run for real (bin/kubecert) on a node
tree of its flavor, and every file the fix changed or created must lie under
one of the Job's writable mounts: the mounts are enough for the fix.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

src = sys.argv[1]
build = sys.argv[2] if len(sys.argv) > 2 else None
kdir = os.path.join(src, "deploy", "kubernetes")
version = re.search(r"project\(kubecert VERSION ([0-9.]+)", open(os.path.join(src, "CMakeLists.txt")).read()).group(1)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def load_all(text, name):
    docs = [d for d in yaml.safe_load_all(text) if d is not None]
    check(docs, f"{name}: no document")
    return docs


def pod_spec(obj):
    return obj["spec"]["template"]["spec"]


def only_container(obj, name):
    containers = pod_spec(obj)["containers"]
    check(len(containers) == 1, f"{name}: one container expected")
    return containers[0]


def mounts_by_path(container):
    return {m["mountPath"]: m for m in container.get("volumeMounts", [])}


def volumes_by_name(spec):
    return {v["name"]: v for v in spec.get("volumes", [])}


def host_path_of(spec, container, mount_path):
    mount = mounts_by_path(container).get(mount_path)
    if not mount:
        return None, None
    vol = volumes_by_name(spec).get(mount["name"], {})
    return vol.get("hostPath", {}).get("path"), mount


def common_pod_checks(obj, name):
    spec = pod_spec(obj)
    c = only_container(obj, name)
    check(spec.get("hostPID") is True, f"{name}: hostPID must be true (the kubelet's command line)")
    check(spec.get("automountServiceAccountToken") is False, f"{name}: no service account token (no API access needed)")
    sc = c.get("securityContext", {})
    check(sc.get("readOnlyRootFilesystem") is True, f"{name}: readOnlyRootFilesystem must be true")
    check(sc.get("allowPrivilegeEscalation") is False, f"{name}: allowPrivilegeEscalation must be false")
    check(sc.get("privileged") in (None, False), f"{name}: must not be privileged")
    check("ALL" in sc.get("capabilities", {}).get("drop", []), f"{name}: capabilities must drop ALL")
    res = c.get("resources", {})
    for kind in ("requests", "limits"):
        for r in ("cpu", "memory"):
            check(r in res.get(kind, {}), f"{name}: resources.{kind}.{r} missing")
    root, mount = host_path_of(spec, c, "/host")
    check(root == "/", f"{name}: the host's / must be mounted at /host")
    check(mount is not None and mount.get("readOnly") is True, f"{name}: /host must be mounted read-only")
    image = c.get("image", "")
    check(image.endswith(":" + version), f"{name}: image {image!r} must be tagged with the version {version}")
    return spec, c


def tolerates_control_plane(spec):
    for t in spec.get("tolerations", []):
        if t.get("operator") == "Exists" and not t.get("key"):
            return True
        if t.get("key") == "node-role.kubernetes.io/control-plane" and t.get("operator") == "Exists":
            return True
    return False


# What each flavor's fix writes (and nothing more may be writable).
WRITABLE_BY_FLAVOR = {
    "kubeadm": ["/host/etc/kubernetes", "/host/root/.kube", "/host/var/backups/kubecert", "/host/var/lib/kubelet"],
    "eks": ["/host/etc/kubernetes/kubelet", "/host/etc/systemd/system/kubelet.service.d",
            "/host/var/backups/kubecert"],
}


def check_objects(objs, origin):
    kinds = {}
    for o in objs:
        kinds.setdefault(o["kind"], []).append(o)
        check("apiVersion" in o and "metadata" in o, f"{origin}: {o.get('kind')} without apiVersion/metadata")
    for ds in kinds.get("DaemonSet", []):
        name = f"{origin}: DaemonSet {ds['metadata']['name']}"
        spec, c = common_pod_checks(ds, name)
        check(tolerates_control_plane(spec), f"{name}: must tolerate the control-plane taint")
        check(any(t.get("key") == "node-role.kubernetes.io/master" for t in spec.get("tolerations", [])),
              f"{name}: must tolerate the legacy master taint")
        script = " ".join(c.get("command", []) + c.get("args", []))
        check("--format prometheus" in script and "--output /textfile/" in script and "audit" in script,
              f"{name}: must write Prometheus metrics into the textfile folder")
        check("while" in script and "sleep" in script, f"{name}: must audit on an interval")
        tf, mount = host_path_of(spec, c, "/textfile")
        check(tf == "/var/lib/node_exporter/textfile_collector", f"{name}: textfile collector folder, got {tf}")
        check(mount is not None and not mount.get("readOnly"), f"{name}: the textfile folder must be writable")
        writable = [p for p, m in mounts_by_path(c).items() if not m.get("readOnly")]
        check(writable == ["/textfile"], f"{name}: only /textfile may be writable, got {writable}")
        check("fix" not in script.split(), f"{name}: the DaemonSet must never fix")
    for job in kinds.get("Job", []):
        name = f"{origin}: Job {job['metadata']['name']}"
        spec, c = common_pod_checks(job, name)
        args = c.get("args", [])
        check(spec.get("nodeName") == "NODE_NAME", f"{name}: must be pinned to one node (nodeName NODE_NAME)")
        check(spec.get("restartPolicy") == "Never" and job["spec"].get("backoffLimit") == 0,
              f"{name}: must run once (restartPolicy Never, backoffLimit 0)")
        check(args[:2] == ["--root", "/host"] and "--format" in args and args[args.index("--format") + 1] == "json",
              f"{name}: must print the JSON report on standard output")
        writable = sorted(p for p, m in mounts_by_path(c).items() if not m.get("readOnly"))
        if "fix" in args:
            check("--yes" in args, f"{name}: a fix without a terminal needs --yes")
            check("--flavor" in args, f"{name}: the fix Job is for one flavor")
            flavor = args[args.index("--flavor") + 1]
            allowed = WRITABLE_BY_FLAVOR.get(flavor, [])
            check(writable == allowed, f"{name}: writable mounts {writable}, expected exactly {allowed}")
            for p in writable:
                hp, _ = host_path_of(spec, c, p)
                check(hp == p[len("/host"):], f"{name}: {p} must mount the host's {p[len('/host'):]}, got {hp}")
        else:
            check(args[-1] == "audit", f"{name}: the audit Job runs audit")
            check(writable == [], f"{name}: the audit Job must mount nothing writable, got {writable}")
    return kinds


# Every manifest file, parsed as it is.
files = sorted(glob.glob(os.path.join(kdir, "**", "*.yaml"), recursive=True))
check(len(files) >= 7, f"expected the manifests under {kdir}, found {files}")
objs_by_dir = {}
for f in files:
    docs = load_all(open(f).read(), f)
    if os.path.basename(f) == "kustomization.yaml":
        k = docs[0]
        check(k.get("kind") == "Kustomization", f"{f}: not a Kustomization")
        images = {i["name"]: i for i in k.get("images", [])}
        check(images.get("kubecert", {}).get("newTag") == version, f"{f}: images kubecert newTag must be {version}")
        for r in k.get("resources", []):
            check(os.path.exists(os.path.join(os.path.dirname(f), r)), f"{f}: resource {r} missing")
        continue
    objs_by_dir.setdefault(os.path.dirname(f), []).extend(docs)

all_kinds = {}
for d, objs in objs_by_dir.items():
    for kind, items in check_objects(objs, os.path.relpath(d, src)).items():
        all_kinds.setdefault(kind, []).extend(items)
check(len(all_kinds.get("DaemonSet", [])) == 1, "one DaemonSet expected")
jobs = all_kinds.get("Job", [])
fix_jobs = [j for j in jobs if "fix" in only_container(j, "job").get("args", [])]
check(len(jobs) - len(fix_jobs) == 1, "one audit Job expected")
fix_flavors = sorted(a[a.index("--flavor") + 1] for a in (only_container(j, "job")["args"] for j in fix_jobs))
check(fix_flavors == ["eks", "kubeadm"], f"a fix Job for eks and one for kubeadm expected, got {fix_flavors}")

# The kustomize builds, when kubectl is here.
kubectl = shutil.which("kubectl")
if kubectl:
    for d in (kdir, os.path.join(kdir, "audit-job"), os.path.join(kdir, "fix-job"), os.path.join(kdir, "fix-job-eks")):
        r = subprocess.run([kubectl, "kustomize", d], capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, f"kubectl kustomize {d}: {r.stderr}")
        if r.returncode == 0:
            objs = load_all(r.stdout, d)
            for o in objs:
                if o["kind"] != "Namespace":
                    check(o["metadata"].get("namespace") == "kubecert", f"{d}: {o['kind']} not in namespace kubecert")
                check(o["metadata"].get("labels", {}).get("app.kubernetes.io/name") == "kubecert",
                      f"{d}: {o['kind']} without the app.kubernetes.io/name label")
            check_objects(objs, "kustomize " + os.path.relpath(d, src))
else:
    print("kubectl not installed: kustomize builds not checked")



def snapshot(root):
    """path -> (size, mtime_ns, mode) of every file and folder under root."""
    out = {}
    for d, dirs, names in os.walk(root):
        for n in dirs + names:
            p = os.path.join(d, n)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return out


def make_node(flavor, node):
    if flavor == "eks":
        shutil.copytree(os.path.join(src, "examples", "nodes", "eks-al2"), node, symlinks=True)
    else:
        subprocess.run([os.path.join(build, "bin", "kubecert-bench-make-node"), node, "due", "rsa"], check=True,
                       timeout=120)


def run_fix_job_for_real(job):
    """Runs the Job's kubecert arguments on a node tree of its flavor; returns what changed outside its mounts."""
    c = only_container(job, "job")
    args = [a.replace("$(NODE_NAME)", "node-1") for a in c["args"]]
    flavor = args[args.index("--flavor") + 1]
    writable = [p[len("/host"):].lstrip("/") for p, m in mounts_by_path(c).items() if not m.get("readOnly")]
    with tempfile.TemporaryDirectory() as tmp:
        node = os.path.join(tmp, "host")
        make_node(flavor, node)
        before = snapshot(node)
        args[args.index("/host")] = node
        r = subprocess.run([os.path.join(build, "bin", "kubecert")] + args, capture_output=True, text=True,
                           timeout=120, stdin=subprocess.DEVNULL)
        after = snapshot(node)
        changed = sorted(p for p in after if before.get(p) != after[p])
        report = {}
        try:
            import json
            report = json.loads(r.stdout)
        except ValueError:
            check(False, f"fix Job {flavor}: no JSON report on standard output (exit {r.returncode}): {r.stderr[-400:]}")
        check(r.returncode in (0, 1), f"fix Job {flavor}: exit {r.returncode}: {r.stderr[-400:]}")
        check(bool(changed), f"fix Job {flavor}: the fix changed nothing on a node that needs it")
        outside = [p for p in changed
                   if not any(p == w or p.startswith(w + "/") for w in writable)
                   # the folders holding a mount point see their mount's mtime, not a write of the fix
                   and not any(w.startswith(p + "/") for w in writable)]
        check(outside == [], f"fix Job {flavor}: wrote outside its writable mounts {writable}: {outside}")
        return flavor, changed, report


if build:
    for j in fix_jobs:
        flavor, changed, report = run_fix_job_for_real(j)
        print(f"fix Job {flavor}: {len(changed)} paths changed, all under its writable mounts; "
              f"after the fix: {report.get('summary_after')}")

if failures:
    print("\n".join("FAIL: " + f for f in failures))
    sys.exit(1)
print(f"PASS: {len(files)} manifest files, kubectl kustomize {'checked' if kubectl else 'skipped'}")
