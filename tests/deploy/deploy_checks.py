#!/usr/bin/python3
"""Checks of deploy/ that need no cluster and no container engine.

  render          every kustomization (base and each overlay) renders with
                  `kubectl kustomize`
  yamllint        yamllint passes on deploy/ and on every rendering
  schema          every rendered object, and the Secret template, passes
                  the Kubernetes schema of npm kubernetes-models
  policy          what the issue asks of the manifests: no `latest` or
                  untagged images, probes on the admin port, requests and
                  limits, the restricted security context, credentials
                  mounted as a folder, a termination grace longer than the
                  drain, every kind present, selectors that match
  service-config  deploy/grpc/service_config.json retries only UNAVAILABLE,
                  has a timeout, and is the one the README shows
  development-run the binaries start with exactly the settings and files
                  the development overlay gives its pods, become ready,
                  and serve an authenticated call through the emulator
  dockerfile      every shared library the built binaries load belongs to a
                  Debian package the runtime stage installs, every COPY
                  source exists, images are tagged, the user is not root,
                  entrypoints are in exec form

Exit status: 0 pass, 1 fail, 77 skipped (kubectl missing; CTest reports
the test as skipped with the reason).

Usage: deploy_checks.py CHECK --repo=DIR [--kubectl=PATH] [--node=PATH]
       [--build-dir=DIR] [--binary=IMAGE_PATH=HOST_PATH ...]
"""

import argparse
import base64
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import yaml

SKIP = 77


class CheckFailed(Exception):
    pass


class Problems:
    """Collects every problem so one run reports them all."""

    def __init__(self):
        self.items = []

    def add(self, where, message):
        self.items.append(f"{where}: {message}")

    def raise_if_any(self, what):
        if self.items:
            raise CheckFailed(f"{what}:\n  " + "\n  ".join(self.items))


# ---------------------------------------------------------------- render


def kustomizations(repo):
    """Every folder under deploy/k8s holding a kustomization.yaml."""
    found = sorted(os.path.dirname(path) for path in glob.glob(
        os.path.join(repo, "deploy/k8s/**/kustomization.yaml"),
        recursive=True))
    if not found:
        raise CheckFailed("no kustomization.yaml under deploy/k8s")
    return found


def find_kubectl(given):
    kubectl = given or shutil.which("kubectl")
    if not kubectl or not os.access(kubectl, os.X_OK):
        print("SKIPPED: kubectl is not installed, so the Kubernetes "
              "manifests cannot be rendered or checked. It is not packaged "
              "for Debian; install it from the Kubernetes project and run "
              "again.")
        sys.exit(SKIP)
    return kubectl


def render_one(repo, kubectl, name, out_dir):
    folder = os.path.join(repo, "deploy/k8s", name)
    result = subprocess.run([kubectl, "kustomize", folder],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise CheckFailed(f"kubectl kustomize {name}: {result.stderr}")
    path = os.path.join(out_dir, name.replace("/", "_") + ".yaml")
    with open(path, "w") as f:
        f.write(result.stdout)
    return path


def render(repo, kubectl, out_dir):
    """Renders each kustomization into out_dir; returns {name: path}."""
    rendered = {}
    problems = Problems()
    for folder in kustomizations(repo):
        name = os.path.relpath(folder, os.path.join(repo, "deploy/k8s"))
        result = subprocess.run([kubectl, "kustomize", folder],
                                capture_output=True, text=True)
        if result.returncode != 0:
            problems.add(name, "kubectl kustomize failed:\n    " +
                         result.stderr.strip().replace("\n", "\n    "))
            continue
        path = os.path.join(out_dir, name.replace("/", "_") + ".yaml")
        with open(path, "w") as f:
            f.write(result.stdout)
        rendered[name] = path
        print(f"rendered {name}: {len(result.stdout.splitlines())} lines")
    problems.raise_if_any("rendering")
    return rendered


def load_documents(path):
    with open(path) as f:
        return [doc for doc in yaml.safe_load_all(f) if doc is not None]


# -------------------------------------------------------------- yamllint


def check_yamllint(repo, rendered):
    config = os.path.join(os.path.dirname(__file__), "yamllint.yaml")
    sources = sorted(glob.glob(os.path.join(repo, "deploy/**/*.yaml"),
                               recursive=True))
    result = subprocess.run(
        ["yamllint", "--strict", "-c", config] + sources +
        sorted(rendered.values()), capture_output=True, text=True)
    if result.returncode != 0:
        raise CheckFailed("yamllint:\n" + result.stdout + result.stderr)
    print(f"yamllint: {len(sources)} sources and {len(rendered)} renderings "
          "clean")


# ---------------------------------------------------------------- schema


def check_schema(repo, rendered, node):
    script = os.path.join(os.path.dirname(__file__), "validate_schemas.mjs")
    modules = os.path.join(os.path.dirname(__file__), "node_modules")
    if not os.path.isdir(os.path.join(modules, "kubernetes-models")):
        raise CheckFailed("tests/deploy/node_modules lacks kubernetes-models;"
                          " run deploy/setup.sh")
    files = sorted(rendered.values()) + secret_templates(repo)
    result = subprocess.run([node, script] + files, capture_output=True,
                            text=True)
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        raise CheckFailed("schema:\n" + result.stderr)


# ---------------------------------------------------------------- policy

# Kinds every full deployment must have (the base, too).
REQUIRED_KINDS = {"Deployment", "Service", "ServiceAccount", "ConfigMap",
                  "NetworkPolicy", "PodDisruptionBudget",
                  "HorizontalPodAutoscaler"}
GATEWAY = "twilio-gateway"
# Settings naming files the gateway reads (and re-reads as they change).
FILE_SETTINGS = ("TWILIO_GATEWAY_CREDENTIALS_FILE",
                 "TWILIO_GATEWAY_TOKENS_FILE", "TWILIO_GATEWAY_POLICY_FILE",
                 "TWILIO_GATEWAY_TLS_CERT", "TWILIO_GATEWAY_TLS_KEY",
                 "TWILIO_GATEWAY_TLS_CLIENT_CA")


def parse_duration_seconds(text):
    """Seconds in an absl duration such as 30s, 5m, 1m30s, 1.5s."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {text!r}")
    return sum(float(n) * units[u] for n, u in parts)


def image_problem(image):
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image {image!r} has no tag"
    if last.rsplit(":", 1)[1] == "latest":
        return f"image {image!r} uses the latest tag"
    return None


def check_container(where, container, problems):
    problem = image_problem(container.get("image", ""))
    if problem:
        problems.add(where, problem)
    for probe in ("readinessProbe", "livenessProbe"):
        if probe not in container:
            problems.add(where, f"no {probe}")
    resources = container.get("resources", {})
    for kind in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            if resource not in resources.get(kind, {}):
                problems.add(where, f"no {resource} in resources.{kind}")
    context = container.get("securityContext", {})
    if context.get("allowPrivilegeEscalation") is not False:
        problems.add(where, "allowPrivilegeEscalation is not false")
    if context.get("readOnlyRootFilesystem") is not True:
        problems.add(where, "readOnlyRootFilesystem is not true")
    if context.get("privileged"):
        problems.add(where, "privileged")
    capabilities = context.get("capabilities", {})
    if "ALL" not in capabilities.get("drop", []):
        problems.add(where, "capabilities do not drop ALL")
    if capabilities.get("add"):
        problems.add(where, f"adds capabilities {capabilities['add']}")
    if context.get("runAsUser") == 0:
        problems.add(where, "runs as root (runAsUser 0)")
    for mount in container.get("volumeMounts", []):
        if "subPath" in mount or "subPathExpr" in mount:
            problems.add(where, f"volume {mount.get('name')} is mounted with "
                         "subPath, which never sees a Secret's update")


def check_pod(where, pod, problems):
    context = pod.get("securityContext", {})
    if context.get("runAsNonRoot") is not True:
        problems.add(where, "pod securityContext.runAsNonRoot is not true")
    if context.get("runAsUser") == 0:
        problems.add(where, "pod runs as root (runAsUser 0)")
    if context.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problems.add(where, "pod seccompProfile is not RuntimeDefault")
    if pod.get("automountServiceAccountToken") is not False:
        problems.add(where, "automountServiceAccountToken is not false")
    if pod.get("hostNetwork") or pod.get("hostPID") or pod.get("hostIPC"):
        problems.add(where, "uses the host's namespaces")
    for container in pod.get("initContainers", []) + pod.get("containers",
                                                              []):
        check_container(f"{where} container {container.get('name')}",
                        container, problems)


def check_gateway(where, deployment, config, problems):
    """The gateway's own needs: admin probes, drain, credentials."""
    pod = deployment["spec"]["template"]["spec"]
    containers = pod.get("containers", [])
    gateway = next((c for c in containers if c.get("name") == "gateway"),
                   None)
    if gateway is None:
        problems.add(where, "no container named gateway")
        return
    ports = {p.get("name"): p.get("containerPort")
             for p in gateway.get("ports", [])}
    admin_listen = config.get("TWILIO_GATEWAY_ADMIN_LISTEN", "0.0.0.0:9090")
    admin_port = int(admin_listen.rsplit(":", 1)[1])
    if ports.get("admin") != admin_port:
        problems.add(where, f"port admin is {ports.get('admin')}, but the "
                     f"gateway's admin port is {admin_port}")
    for probe, path in (("readinessProbe", "/readyz"),
                        ("livenessProbe", "/livez")):
        get = gateway.get(probe, {}).get("httpGet", {})
        if get.get("path") != path or get.get("port") not in ("admin",
                                                              admin_port):
            problems.add(where, f"{probe} is not GET {path} on the admin "
                         "port")

    pre_stop = (gateway.get("lifecycle", {}).get("preStop", {}))
    pause = None
    if "sleep" in pre_stop:
        pause = pre_stop["sleep"].get("seconds")
    else:
        command = pre_stop.get("exec", {}).get("command", [])
        if len(command) == 2 and command[0] == "sleep":
            pause = float(command[1])
    if pause is None:
        problems.add(where, "no preStop pause (exec sleep N)")
        pause = 0
    grace = parse_duration_seconds(
        config.get("TWILIO_GATEWAY_SHUTDOWN_GRACE", "20s"))
    termination = pod.get("terminationGracePeriodSeconds", 30)
    if termination <= pause + grace:
        problems.add(where, f"terminationGracePeriodSeconds {termination} is "
                     f"not longer than the preStop pause ({pause}s) plus the "
                     f"drain ({grace}s)")

    # Callers are authenticated and their access is governed by a policy.
    if config.get("TWILIO_GATEWAY_ALLOW_UNAUTHENTICATED", "false") != "false":
        problems.add(where, "callers are not authenticated "
                     "(TWILIO_GATEWAY_ALLOW_UNAUTHENTICATED)")
    if not (config.get("TWILIO_GATEWAY_TOKENS_FILE") or
            config.get("TWILIO_GATEWAY_TLS_CLIENT_CA")):
        problems.add(where, "callers are not authenticated: neither "
                     "TWILIO_GATEWAY_TOKENS_FILE nor "
                     "TWILIO_GATEWAY_TLS_CLIENT_CA is set")
    if not config.get("TWILIO_GATEWAY_POLICY_FILE"):
        problems.add(where, "no TWILIO_GATEWAY_POLICY_FILE")

    # Every file the gateway reads lies in a Secret volume mounted as a
    # folder, so that updates reach it.
    volumes = {v.get("name"): v for v in pod.get("volumes", [])}
    secret_mounts = [m.get("mountPath", "").rstrip("/") + "/"
                     for m in gateway.get("volumeMounts", [])
                     if "secret" in volumes.get(m.get("name"), {})]
    for setting in FILE_SETTINGS:
        path = config.get(setting)
        if setting == "TWILIO_GATEWAY_CREDENTIALS_FILE" and not path:
            problems.add(where, "no TWILIO_GATEWAY_CREDENTIALS_FILE")
        if path and not any(path.startswith(m) for m in secret_mounts):
            problems.add(where, f"{setting} {path!r} is not inside a "
                         "mounted Secret volume")


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v
                                  for k, v in selector.items())


def check_rendering(name, documents, problems):
    kinds = {doc.get("kind") for doc in documents}
    for kind in sorted(REQUIRED_KINDS - kinds):
        problems.add(name, f"no {kind}")

    configs = {doc["metadata"]["name"]: doc.get("data", {})
               for doc in documents if doc.get("kind") == "ConfigMap"}
    deployments = [d for d in documents if d.get("kind") == "Deployment"]
    for doc in documents:
        kind = doc.get("kind")
        meta = doc.get("metadata", {})
        where = f"{name} {kind}/{meta.get('name')}"
        if kind == "Secret" and doc.get("type") != "Opaque":
            problems.add(where, "is not Opaque")
        if kind == "Namespace":
            labels = meta.get("labels", {})
            if labels.get("pod-security.kubernetes.io/enforce") != \
                    "restricted":
                problems.add(where, "does not enforce the restricted Pod "
                             "Security Standard")
        if kind == "Deployment":
            pod = doc["spec"]["template"]
            check_pod(where, pod["spec"], problems)
            if not selects(doc["spec"]["selector"].get("matchLabels"),
                           pod["metadata"].get("labels", {})):
                problems.add(where, "selector does not match its pods")
            if meta.get("name") == GATEWAY:
                config = {}
                for source in pod["spec"]["containers"][0].get("envFrom",
                                                               []):
                    ref = source.get("configMapRef", {}).get("name")
                    if ref is not None and ref not in configs:
                        problems.add(where, f"ConfigMap {ref} is not there")
                    config.update(configs.get(ref, {}))
                check_gateway(where, doc, config, problems)
        if kind in ("Service", "PodDisruptionBudget", "NetworkPolicy"):
            spec = doc.get("spec", {})
            selector = (spec.get("selector") if kind == "Service" else
                        spec.get("selector", spec.get("podSelector",
                                                      {})).get(
                                                          "matchLabels"))
            if not any(selects(selector,
                               d["spec"]["template"]["metadata"]["labels"])
                       for d in deployments):
                problems.add(where, "selects no pods of a Deployment")
        if kind == "NetworkPolicy" and meta.get("name") == GATEWAY:
            spec = doc["spec"]
            if set(spec.get("policyTypes", [])) != {"Ingress", "Egress"}:
                problems.add(where, "does not restrict both directions")
            ports = {p.get("port") for rule in spec.get("egress", [])
                     for p in rule.get("ports", [])}
            if not {53, 443} <= ports:
                problems.add(where, "egress does not allow DNS and HTTPS")
            for rule in spec.get("ingress", []):
                for peer in rule.get("from", []):
                    if not peer.get("podSelector", {}).get("matchLabels"):
                        problems.add(where, "lets in peers not chosen by "
                                     "label")
        if kind == "HorizontalPodAutoscaler":
            target = doc["spec"]["scaleTargetRef"]
            if not any(d["metadata"]["name"] == target.get("name")
                       for d in deployments):
                problems.add(where, f"scales {target.get('name')}, which is "
                             "not there")


def secret_templates(repo):
    return sorted(glob.glob(os.path.join(repo,
                                         "deploy/k8s/secret/*.yaml")))


def check_secret_templates(repo, problems):
    """Each template is one Secret whose JSON files hold no value: every
    string in them is empty."""
    templates = secret_templates(repo)
    if not templates:
        problems.add("deploy/k8s/secret", "no Secret template")
    for path in templates:
        where = os.path.relpath(path, repo)
        documents = load_documents(path)
        if len(documents) != 1 or documents[0].get("kind") != "Secret":
            problems.add(where, "is not one Secret")
            continue
        secret = documents[0]
        if secret.get("data"):
            problems.add(where, "carries data")
        for key, value in secret.get("stringData", {}).items():
            try:
                content = json.loads(value)
            except ValueError:
                problems.add(where, f"{key} is not JSON")
                continue
            if any(filled(content)):
                problems.add(where, f"{key} carries values")


def filled(value):
    """Yields the strings in a JSON value that are not empty, other than
    the operation names a template may show."""
    if isinstance(value, dict):
        for item in value.values():
            yield from filled(item)
    elif isinstance(value, list):
        for item in value:
            yield from filled(item)
    elif isinstance(value, str) and value and value not in ("read",
                                                              "write"):
        yield value


def check_policy(repo, rendered):
    problems = Problems()
    for name, path in sorted(rendered.items()):
        check_rendering(name, load_documents(path), problems)
    check_secret_templates(repo, problems)
    problems.raise_if_any("policy")
    print(f"policy: {len(rendered)} renderings and the Secret templates pass")


# -------------------------------------------------------- service config


def check_service_config(repo):
    problems = Problems()
    path = os.path.join(repo, "deploy/grpc/service_config.json")
    with open(path) as f:
        config = json.load(f)
    where = "deploy/grpc/service_config.json"
    methods = config.get("methodConfig", [])
    services = {name.get("service") for method in methods
                for name in method.get("name", [])}
    if "twilio_gateway.sip.v1.CredentialListMappingService" not in services:
        problems.add(where, "no methodConfig for the service")
    for method in methods:
        if not re.fullmatch(r"\d+(\.\d+)?s", method.get("timeout", "")):
            problems.add(where, "a methodConfig has no default timeout")
        policy = method.get("retryPolicy")
        if policy is None:
            problems.add(where, "a methodConfig has no retryPolicy")
            continue
        if policy.get("retryableStatusCodes") != ["UNAVAILABLE"]:
            problems.add(where, "retries on "
                         f"{policy.get('retryableStatusCodes')}, want only "
                         "UNAVAILABLE")
        if not 2 <= policy.get("maxAttempts", 0) <= 5:
            problems.add(where, "maxAttempts is not between 2 and 5")

    # The README shows the same config to callers.
    with open(os.path.join(repo, "README.md")) as f:
        readme = f.read()
    blocks = re.findall(r"```json\n(.*?)```", readme, re.S)
    shown = []
    for block in blocks:
        try:
            shown.append(json.loads(block))
        except ValueError:
            pass
    if config not in shown:
        problems.add("README.md", "does not show "
                     "deploy/grpc/service_config.json as it is")
    problems.raise_if_any("service config")
    print("service config: retries only UNAVAILABLE, has a timeout, "
          "matches the README")


# ------------------------------------------------------------ dockerfile


def dockerfile_instructions(path):
    """[(instruction, arguments)] with continuations joined."""
    with open(path) as f:
        lines = f.read().splitlines()
    instructions, current = [], ""
    for line in lines:
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        word, _, rest = current.partition(" ")
        instructions.append((word.upper(), rest.strip()))
        current = ""
    return instructions


def dockerfile_stages(instructions):
    """[{name, base, instructions}] in order."""
    stages = []
    for word, rest in instructions:
        if word == "FROM":
            parts = rest.split()
            name = parts[2] if len(parts) >= 3 and \
                parts[1].upper() == "AS" else str(len(stages))
            stages.append({"name": name, "base": parts[0],
                           "instructions": []})
        elif stages:
            stages[-1]["instructions"].append((word, rest))
    return stages


def installed_packages():
    """{package: (depends, provides)} of the packages dpkg has installed."""
    result = subprocess.run(
        ["dpkg-query", "-W", "-f",
         "${Package}\t${Status}\t${Pre-Depends}\t${Depends}\t${Provides}\n"],
        capture_output=True, text=True, check=True)
    packages = {}
    for line in result.stdout.splitlines():
        name, status, pre, depends, provides = line.split("\t")
        if not status.endswith(" installed"):
            continue
        packages[name] = (", ".join(d for d in (pre, depends) if d),
                          provides)
    return packages


def dependency_closure(names, packages):
    """Packages apt installs for `names`: each with its Depends and
    Pre-Depends, an alternative resolved to the first one installed here."""
    providers = {}
    for name, (_, provides) in packages.items():
        for item in provides.split(","):
            virtual = item.strip().split(" ")[0].split(":")[0]
            if virtual:
                providers.setdefault(virtual, []).append(name)

    def resolve(name):
        name = name.split(":")[0]
        if name in packages:
            return name
        return (providers.get(name) or [None])[0]

    closure, todo = set(), list(names)
    while todo:
        name = resolve(todo.pop())
        if name is None or name in closure:
            continue
        closure.add(name)
        for clause in packages[name][0].split(","):
            for alternative in clause.split("|"):
                candidate = resolve(alternative.strip().split(" ")[0])
                if candidate is not None:
                    todo.append(candidate)
                    break
    return closure


def path_variants(library):
    """The names dpkg may know a library file by: as ldd gives it, resolved,
    and under /lib or /usr/lib (Debian 12 merges the two)."""
    variants = [library, os.path.realpath(library)]
    for path in list(variants):
        if path.startswith("/usr/lib/"):
            variants.append(path[len("/usr"):])
        elif path.startswith("/lib"):
            variants.append("/usr" + path)
    return variants


def packages_of(libraries):
    """{library: Debian package or None}, from one dpkg -S call."""
    variants = {library: path_variants(library) for library in libraries}
    paths = sorted({p for v in variants.values() for p in v})
    result = subprocess.run(["dpkg", "-S"] + paths, capture_output=True,
                            text=True)
    owner = {}
    for line in result.stdout.splitlines():
        packages, _, path = line.partition(": ")
        owner[path.strip()] = packages.split(",")[0].split(":")[0].strip()
    return {library: next((owner[p] for p in v if p in owner), None)
            for library, v in variants.items()}


def loaded_libraries(binary):
    """Paths of the shared libraries `binary` loads, from ldd."""
    result = subprocess.run(["ldd", binary], capture_output=True, text=True)
    if result.returncode != 0:
        raise CheckFailed(f"ldd {binary}: {result.stderr.strip()}")
    libraries = []
    for line in result.stdout.splitlines():
        line = line.strip()
        if "not found" in line:
            raise CheckFailed(f"{binary}: {line}")
        match = re.search(r"(?:=>\s*)?(/\S+)\s+\(0x", line)
        # test.sh runs the suite on a sanitizer build, whose binaries load
        # the sanitizer runtimes; the image's release build never does.
        if match and not re.search(r"/lib(a|l|t|ub)san\.so", match.group(1)):
            libraries.append(match.group(1))
    return libraries


def apt_installs(stage):
    names = []
    for word, rest in stage["instructions"]:
        if word != "RUN":
            continue
        for command in re.split(r"&&|;", rest):
            words = command.split()
            if "apt-get" in words and "install" in words:
                names += [w for w in words[words.index("install") + 1:]
                          if not w.startswith("-") and "=" not in w]
    return names


def check_dockerfile(repo, build_dir, binaries):
    problems = Problems()
    dockerfile = os.path.join(repo, "deploy/Dockerfile")
    where = "deploy/Dockerfile"
    stages = dockerfile_stages(dockerfile_instructions(dockerfile))
    by_name = {s["name"]: s for s in stages}
    if len(stages) < 2:
        problems.add(where, "is not multi-stage")

    def root_image(stage):
        seen = set()
        while stage["base"] in by_name and stage["name"] not in seen:
            seen.add(stage["name"])
            stage = by_name[stage["base"]]
        return stage["base"]

    for stage in stages:
        if stage["base"] in by_name:
            continue
        problem = image_problem(stage["base"])
        if problem:
            problems.add(f"{where} stage {stage['name']}", problem)

    # The build stage: Debian 12, the README's setup script.
    builders = [s for s in stages
                if any(w == "RUN" and "deploy/setup.sh" in r
                       for w, r in s["instructions"])]
    if not builders:
        problems.add(where, "no stage runs deploy/setup.sh")
    for stage in builders:
        if not re.fullmatch(r"debian:12(\.\d+)?(@sha256:\w+)?",
                            root_image(stage)):
            problems.add(where, f"build stage {stage['name']} is not based "
                         "on debian:12")

    # Every COPY source exists: in the context (the repository), or as
    # something the build stage makes.
    copied = set()
    image_paths = {}
    for stage in stages:
        for word, rest in stage["instructions"]:
            if word not in ("COPY", "ADD"):
                continue
            if word == "ADD":
                problems.add(where, "uses ADD; COPY says what it does")
            args = rest.split()
            source_stage = None
            while args and args[0].startswith("--"):
                flag = args.pop(0)
                if flag.startswith("--from="):
                    source_stage = flag.split("=", 1)[1]
            if args and args[0].startswith("["):
                args = json.loads(rest[rest.index("["):])
            sources, destination = args[:-1], args[-1]
            for source in sources:
                if source_stage is None:
                    copied.add(os.path.normpath(source))
                    if not os.path.exists(os.path.join(repo, source)):
                        problems.add(where, f"COPY {source}: not in the "
                                     "repository")
                    continue
                if source_stage not in by_name:
                    problems.add(where, f"COPY --from={source_stage}: no "
                                 "such stage")
                    continue
                built = re.fullmatch(r"/src/build/(.+)", source)
                if built is None:
                    problems.add(where, f"COPY --from={source_stage} "
                                 f"{source}: not under /src/build")
                    continue
                host = os.path.join(build_dir, built.group(1))
                if not os.path.isfile(host):
                    problems.add(where, f"COPY --from={source_stage} "
                                 f"{source}: the build makes no "
                                 f"{built.group(1)}")
                image_paths[destination] = (stage, host)

    # deploy/setup.sh installs the Node packages of every lock file, so
    # each must be in the image before the script runs.
    setup_stage = builders[0] if builders else None
    if setup_stage is not None:
        before_setup = set()
        for word, rest in setup_stage["instructions"]:
            if word == "RUN" and "deploy/setup.sh" in rest:
                break
            if word == "COPY" and not rest.startswith("--from"):
                before_setup.update(os.path.normpath(p)
                                    for p in rest.split()[:-1])
        for lock in sorted(glob.glob(os.path.join(repo, "**/package-lock.json"),
                                     recursive=True)):
            relative = os.path.relpath(lock, repo)
            if "node_modules" in relative.split(os.sep) or \
                    relative.startswith("build"):
                continue
            if relative not in before_setup:
                problems.add(where, f"{relative} is not copied before "
                             "deploy/setup.sh runs, which installs it")

    # Everything CMake configures is copied into the build stage.
    with open(os.path.join(repo, "CMakeLists.txt")) as f:
        subdirectories = re.findall(r"add_subdirectory\((\w+)\)", f.read())
    for subdirectory in subdirectories + ["CMakeLists.txt"]:
        if subdirectory not in copied:
            problems.add(where, f"the build stage does not COPY "
                         f"{subdirectory}, which CMakeLists.txt needs")

    # Final stages: an unprivileged user and an exec-form entrypoint.
    for stage in stages:
        if not any(w == "ENTRYPOINT" for w, _ in stage["instructions"]):
            continue
        chain, current = [], stage
        while True:
            chain.append(current)
            if current["base"] not in by_name:
                break
            current = by_name[current["base"]]
        users = [r for s in reversed(chain) for w, r in s["instructions"]
                 if w == "USER"]
        user = users[-1].split(":")[0] if users else "root"
        if user in ("root", "0"):
            problems.add(where, f"stage {stage['name']} runs as root")
        for word, rest in stage["instructions"]:
            if word == "ENTRYPOINT" and not rest.startswith("["):
                problems.add(where, f"stage {stage['name']}: ENTRYPOINT is "
                             "not in exec form")
        if not re.fullmatch(r"debian:12-slim(@sha256:\w+)?",
                            root_image(stage)):
            problems.add(where, f"stage {stage['name']} does not run on "
                         "debian:12-slim")
    if stages and not any(w == "ENTRYPOINT"
                          for w, _ in stages[-1]["instructions"]):
        problems.add(where, "the last stage (the default image) has no "
                     "ENTRYPOINT")

    # Every library each binary loads comes from a package the runtime
    # stage installs, or one apt brings in with it.
    packages = installed_packages()
    summary = []
    for image_path, host in sorted(binaries.items()):
        if image_path not in image_paths:
            problems.add(where, f"no stage copies a binary to {image_path}")
            continue
        stage, copied_from = image_paths[image_path]
        if os.path.realpath(copied_from) != os.path.realpath(host):
            problems.add(where, f"{image_path} comes from {copied_from}, "
                         f"not the binary built at {host}")
        chain, current = [], stage
        while True:
            chain.append(current)
            if current["base"] not in by_name:
                break
            current = by_name[current["base"]]
        named = [n for s in chain for n in apt_installs(s)]
        for name in named:
            if name not in packages:
                problems.add(where, f"installs {name}, a package this "
                             "Debian does not have installed: check the "
                             "name")
            if name.endswith("-dev") or name in ("g++", "gcc", "cmake",
                                                 "ninja-build", "make"):
                problems.add(where, f"the runtime installs {name}, a build "
                             "tool")
        closure = dependency_closure(named, packages)
        needed = set()
        for library, package in sorted(packages_of(
                loaded_libraries(host)).items()):
            if package is None:
                problems.add(where, f"{image_path} loads {library}, which "
                             "belongs to no Debian package")
                continue
            needed.add(package)
            if package not in closure:
                problems.add(where, f"{image_path} loads {library} from "
                             f"{package}, which the runtime stage does not "
                             "install")
        summary.append(f"{image_path}: loads the libraries of "
                       f"{len(needed)} packages: {' '.join(sorted(needed))}")
    problems.raise_if_any("Dockerfile")
    return summary


# ------------------------------------------------------- development run

# The development overlay's demo bearer token; demo-tokens.json holds its
# SHA-256 (checked below), and it means nothing outside that overlay.
DEMO_TOKEN = "dev-caller-token-not-a-secret"
WAIT_SECONDS = 30


def decoded_secrets(documents):
    """{Secret name: {key: bytes}} of the rendered Secrets."""
    secrets = {}
    for doc in documents:
        if doc.get("kind") != "Secret":
            continue
        data = {k: base64.b64decode("".join(str(v).split()))
                for k, v in doc.get("data", {}).items()}
        data.update({k: v.encode() for k, v in
                     doc.get("stringData", {}).items()})
        secrets[doc["metadata"]["name"]] = data
    return secrets


def container_env(container, documents, secrets):
    """The variables a container gets from envFrom and env."""
    configs = {d["metadata"]["name"]: d.get("data", {})
               for d in documents if d.get("kind") == "ConfigMap"}
    env = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(configs[source["configMapRef"]["name"]])
        if "secretRef" in source:
            env.update({k: v.decode() for k, v in
                        secrets[source["secretRef"]["name"]].items()})
    for item in container.get("env", []):
        env[item["name"]] = item.get("value", "")
    return env


def wait_port_file(path, process, name):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CheckFailed(f"{name} exited with {process.returncode} "
                              "during start-up")
        try:
            with open(path) as f:
                text = f.read().strip()
            if text.isdigit():
                return int(text)
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    raise CheckFailed(f"{name} did not start within {WAIT_SECONDS}s")


def http_status(port, path):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def check_development_run(repo, kubectl, gateway_binary, emulator_binary,
                          buf):
    """Runs the binaries with exactly the settings and files the
    development overlay gives the pods (paths moved under a temporary
    folder, addresses on 127.0.0.1): the gateway must become ready, take an
    authenticated call through the emulator, refuse an unauthenticated
    one, and exit 0 on SIGTERM."""

    with tempfile.TemporaryDirectory() as out_dir:
        rendered = render_one(repo, kubectl,
                              "overlays/development", out_dir)
        documents = load_documents(rendered)
    secrets = decoded_secrets(documents)
    deployments = {d["metadata"]["name"]: d for d in documents
                   if d.get("kind") == "Deployment"}
    gateway_pod = deployments["twilio-gateway"]["spec"]["template"]["spec"]
    containers = {c["name"]: c for c in gateway_pod["containers"]}
    if "emulator" not in containers:
        raise CheckFailed("the development pod has no emulator container")
    gateway = gateway_pod["containers"][0]
    emulator = containers["emulator"]

    with open(os.path.join(repo, "deploy/k8s/overlays/development/"
                           "demo-tokens.json")) as f:
        hashes = [t["sha256"] for t in json.load(f)["tokens"]]
    if hashlib.sha256(DEMO_TOKEN.encode()).hexdigest() not in hashes:
        raise CheckFailed("demo-tokens.json does not hold the demo token's "
                          "SHA-256")

    folder = tempfile.mkdtemp(prefix="deploy-development-run.")
    processes = []
    try:
        # The Secret volumes, as the kubelet lays them out (mode 0440).
        mounts = {}
        volumes = {v["name"]: v for v in gateway_pod.get("volumes", [])}
        for mount in gateway.get("volumeMounts", []):
            secret = volumes[mount["name"]]["secret"]["secretName"]
            local = os.path.join(folder, mount["mountPath"].lstrip("/"))
            os.makedirs(local)
            for key, value in secrets[secret].items():
                path = os.path.join(local, key)
                with open(path, "wb") as f:
                    f.write(value)
                os.chmod(path, 0o440)
            mounts[mount["mountPath"].rstrip("/") + "/"] = local + "/"

        emulator_env = container_env(emulator, documents, secrets)
        emulator_args = [a for a in emulator.get("args", [])
                         if not a.startswith("--listen")]
        emulator_process = subprocess.Popen(
            [emulator_binary] + emulator_args +
            ["--listen=127.0.0.1:0", f"--port_file={folder}/emulator.port"],
            env={"PATH": os.environ.get("PATH", ""), **emulator_env},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(emulator_process)
        emulator_port = wait_port_file(f"{folder}/emulator.port",
                                       emulator_process, "twilio-emulator")

        env = container_env(gateway, documents, secrets)
        for name, value in env.items():
            for mount_path, local in mounts.items():
                if value.startswith(mount_path):
                    env[name] = local + value[len(mount_path):]
        if env.get("TWILIO_GATEWAY_TWILIO_BASE_URL") != "http://127.0.0.1:8080":
            raise CheckFailed("the development gateway does not call its "
                              "emulator sidecar at http://127.0.0.1:8080")
        if "--listen=127.0.0.1:8080" not in emulator.get("args", []):
            raise CheckFailed("the emulator sidecar does not listen on "
                              "127.0.0.1:8080")
        env.update(
            TWILIO_GATEWAY_TWILIO_BASE_URL=f"http://127.0.0.1:{emulator_port}",
            TWILIO_GATEWAY_LISTEN="127.0.0.1:0",
            TWILIO_GATEWAY_ADMIN_LISTEN="127.0.0.1:0",
            TWILIO_GATEWAY_PORT_FILE=f"{folder}/gateway.port",
            TWILIO_GATEWAY_ADMIN_PORT_FILE=f"{folder}/admin.port",
            PATH=os.environ.get("PATH", ""))
        log = open(os.path.join(folder, "gateway.log"), "wb")
        gateway_process = subprocess.Popen(
            [gateway_binary] + gateway.get("args", []), env=env,
            stdout=log, stderr=subprocess.STDOUT)
        processes.append(gateway_process)
        try:
            grpc_port = wait_port_file(f"{folder}/gateway.port",
                                       gateway_process, "twilio-gateway")
            admin_port = wait_port_file(f"{folder}/admin.port",
                                        gateway_process, "twilio-gateway")
        except CheckFailed as error:
            with open(os.path.join(folder, "gateway.log")) as f:
                raise CheckFailed(f"{error}; its log:\n{f.read()}")

        deadline = time.monotonic() + WAIT_SECONDS
        while http_status(admin_port, "/readyz") != 200:
            if time.monotonic() > deadline:
                raise CheckFailed("the gateway never became ready")
            time.sleep(0.1)
        if http_status(admin_port, "/livez") != 200:
            raise CheckFailed("/livez is not 200")

        service = "twilio_gateway.sip.v1.CredentialListMappingService"
        url = (f"http://127.0.0.1:{grpc_port}/{service}/"
               "ListCredentialListMappings")
        request = json.dumps({"domain_sid": "SD" + "0" * 32})
        base = [buf, "curl", "--protocol", "grpc", "--http2-prior-knowledge",
                "--timeout", "30s", "-d", request]
        buf_env = {"PATH": os.environ.get("PATH", ""),
                   "HOME": folder,
                   "BUF_CACHE_DIR": os.path.join(folder, "buf-cache")}
        # Without reflection rights a caller lists no methods, so buf is
        # given the proto files instead.
        schema = ["--schema", os.path.join(repo, "proto")]
        denied = subprocess.run(base + schema + [url], env=buf_env,
                                capture_output=True, text=True)
        if denied.returncode == 0 or "unauthenticated" not in denied.stderr:
            raise CheckFailed("a call without a token was not refused as "
                              f"unauthenticated: {denied.stderr.strip()}")
        allowed = subprocess.run(
            base + schema + ["-H", f"authorization: Bearer {DEMO_TOKEN}",
                             url],
            env=buf_env, capture_output=True, text=True)
        if allowed.returncode != 0:
            raise CheckFailed("an authenticated List through the emulator "
                              f"failed: {allowed.stderr.strip()}")

        gateway_process.send_signal(signal.SIGTERM)
        if gateway_process.wait(timeout=WAIT_SECONDS) != 0:
            raise CheckFailed("the gateway exited with "
                              f"{gateway_process.returncode} on SIGTERM")
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)
    print("development overlay: the gateway ran with its settings and "
          "files, became ready, refused an unauthenticated call, served an "
          "authenticated one through the emulator, and exited 0")


# ------------------------------------------------------------------ main


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["render", "yamllint", "schema",
                                          "policy", "service-config",
                                          "dockerfile", "development-run"])
    parser.add_argument("--repo", required=True)
    parser.add_argument("--kubectl", default="")
    parser.add_argument("--node", default="node")
    parser.add_argument("--build-dir", default="")
    parser.add_argument("--binary", action="append", default=[],
                        help="IMAGE_PATH=HOST_PATH")
    parser.add_argument("--gateway", default="")
    parser.add_argument("--emulator", default="")
    parser.add_argument("--buf", default="")
    args = parser.parse_args()
    repo = os.path.abspath(args.repo)

    try:
        if args.check == "service-config":
            check_service_config(repo)
        elif args.check == "dockerfile":
            binaries = dict(b.split("=", 1) for b in args.binary)
            if not binaries:
                raise CheckFailed("no --binary given")
            for line in check_dockerfile(repo, os.path.abspath(args.build_dir),
                                         binaries):
                print(line)
        else:
            kubectl = find_kubectl(args.kubectl)
            if args.check == "development-run":
                for path, what in ((args.gateway, "--gateway"),
                                   (args.emulator, "--emulator"),
                                   (args.buf, "--buf (run deploy/setup.sh)")):
                    if not path or not os.access(path, os.X_OK):
                        raise CheckFailed(f"{what}: no program at {path!r}")
                check_development_run(repo, kubectl, args.gateway,
                                      args.emulator, args.buf)
                print("PASS: development-run")
                return 0
            with tempfile.TemporaryDirectory() as out_dir:
                rendered = render(repo, kubectl, out_dir)
                if args.check == "yamllint":
                    check_yamllint(repo, rendered)
                elif args.check == "schema":
                    check_schema(repo, rendered, args.node)
                elif args.check == "policy":
                    check_policy(repo, rendered)
    except CheckFailed as error:
        print(f"FAIL: {error}", file=sys.stderr)
        return 1
    print(f"PASS: {args.check}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
