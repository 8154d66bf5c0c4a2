#!/usr/bin/python3
"""The checks in deploy_checks.py catch the mistakes they are for.

Each test breaks one thing in a copy of the real files (a manifest rendered
from deploy/, the Dockerfile, the service config) and expects the check to
name it; the unbroken copy must pass, so neither side is vacuous.

Usage: deploy_checks_test.py --repo=DIR --build-dir=DIR --gateway=PATH
       --emulator=PATH [--kubectl=PATH] [--node=PATH]
"""

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

# No __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deploy_checks  # noqa: E402

ARGS = None


def render_production():
    kubectl = ARGS.kubectl or shutil.which("kubectl")
    if not kubectl:
        raise unittest.SkipTest("kubectl is not installed")
    result = subprocess.run(
        [kubectl, "kustomize",
         os.path.join(ARGS.repo, "deploy/k8s/overlays/production")],
        capture_output=True, text=True, check=True)
    return [d for d in yaml.safe_load_all(result.stdout) if d is not None]


class PolicyTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.documents = render_production()

    def problems(self, mutate):
        documents = copy.deepcopy(self.documents)
        mutate(documents)
        problems = deploy_checks.Problems()
        deploy_checks.check_rendering("production", documents, problems)
        return "\n".join(problems.items)

    def find(self, documents, kind, name="twilio-gateway"):
        return next(d for d in documents if d["kind"] == kind and
                    d["metadata"]["name"].startswith(name))

    def gateway(self, documents):
        deployment = self.find(documents, "Deployment")
        return deployment["spec"]["template"]["spec"]

    def test_the_real_manifests_pass(self):
        self.assertEqual(self.problems(lambda d: None), "")

    def test_latest_tag(self):
        def mutate(d):
            self.gateway(d)["containers"][0]["image"] = "gateway:latest"
        self.assertIn("latest tag", self.problems(mutate))

    def test_untagged_image(self):
        def mutate(d):
            self.gateway(d)["containers"][0]["image"] = "example/gateway"
        self.assertIn("has no tag", self.problems(mutate))

    def test_missing_probe(self):
        def mutate(d):
            del self.gateway(d)["containers"][0]["readinessProbe"]
        self.assertIn("no readinessProbe", self.problems(mutate))

    def test_probe_off_the_admin_port(self):
        def mutate(d):
            self.gateway(d)["containers"][0]["livenessProbe"]["httpGet"][
                "port"] = "grpc"
        self.assertIn("livenessProbe is not GET /livez", self.problems(mutate))

    def test_missing_limit(self):
        def mutate(d):
            del self.gateway(d)["containers"][0]["resources"]["limits"][
                "memory"]
        self.assertIn("no memory in resources.limits", self.problems(mutate))

    def test_writable_root(self):
        def mutate(d):
            self.gateway(d)["containers"][0]["securityContext"][
                "readOnlyRootFilesystem"] = False
        self.assertIn("readOnlyRootFilesystem", self.problems(mutate))

    def test_capabilities_kept(self):
        def mutate(d):
            self.gateway(d)["containers"][0]["securityContext"][
                "capabilities"] = {"drop": ["NET_RAW"]}
        self.assertIn("do not drop ALL", self.problems(mutate))

    def test_no_seccomp(self):
        def mutate(d):
            del self.gateway(d)["securityContext"]["seccompProfile"]
        self.assertIn("seccompProfile", self.problems(mutate))

    def test_root_user(self):
        def mutate(d):
            self.gateway(d)["securityContext"]["runAsUser"] = 0
        self.assertIn("root", self.problems(mutate))

    def test_sub_path(self):
        def mutate(d):
            self.gateway(d)["containers"][0]["volumeMounts"][0][
                "subPath"] = "credentials.json"
        self.assertIn("subPath", self.problems(mutate))

    def test_grace_shorter_than_the_drain(self):
        def mutate(d):
            self.gateway(d)["terminationGracePeriodSeconds"] = 30
        self.assertIn("terminationGracePeriodSeconds 30", self.problems(mutate))

    def test_no_pre_stop(self):
        def mutate(d):
            del self.gateway(d)["containers"][0]["lifecycle"]
        self.assertIn("no preStop", self.problems(mutate))

    def test_credentials_outside_the_secret(self):
        def mutate(d):
            self.find(d, "ConfigMap")["data"][
                "TWILIO_GATEWAY_CREDENTIALS_FILE"] = "/tmp/credentials.json"
        self.assertIn("TWILIO_GATEWAY_CREDENTIALS_FILE '/tmp/credentials.json'"
                      " is not inside a mounted Secret", self.problems(mutate))

    def test_callers_not_authenticated(self):
        def mutate(d):
            data = self.find(d, "ConfigMap")["data"]
            del data["TWILIO_GATEWAY_TOKENS_FILE"]
            data["TWILIO_GATEWAY_ALLOW_UNAUTHENTICATED"] = "true"
        problems = self.problems(mutate)
        self.assertIn("callers are not authenticated "
                      "(TWILIO_GATEWAY_ALLOW_UNAUTHENTICATED)", problems)
        self.assertIn("neither TWILIO_GATEWAY_TOKENS_FILE", problems)

    def test_policy_file_outside_a_secret(self):
        def mutate(d):
            pod = self.gateway(d)
            pod["containers"][0]["volumeMounts"] = [
                m for m in pod["containers"][0]["volumeMounts"]
                if m["name"] != "callers"]
        self.assertIn("TWILIO_GATEWAY_POLICY_FILE", self.problems(mutate))

    def test_missing_kind(self):
        def mutate(d):
            d[:] = [x for x in d if x["kind"] != "PodDisruptionBudget"]
        self.assertIn("no PodDisruptionBudget", self.problems(mutate))

    def test_service_selecting_nothing(self):
        def mutate(d):
            self.find(d, "Service")["spec"]["selector"] = {"app": "other"}
        self.assertIn("selects no pods", self.problems(mutate))

    def test_network_policy_open_ingress(self):
        def mutate(d):
            policy = self.find(d, "NetworkPolicy")
            policy["spec"]["ingress"][0]["from"] = [{"namespaceSelector": {}}]
        self.assertIn("not chosen by label", self.problems(mutate))

    def test_namespace_not_restricted(self):
        def mutate(d):
            namespace = self.find(d, "Namespace", "")
            namespace["metadata"]["labels"] = {}
        self.assertIn("restricted Pod Security", self.problems(mutate))


class SchemaTest(unittest.TestCase):

    def validate(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            f.write(text)
            f.flush()
            return subprocess.run(
                [ARGS.node, os.path.join(os.path.dirname(__file__),
                                         "validate_schemas.mjs"), f.name],
                capture_output=True, text=True)

    def test_wrong_type_fails(self):
        result = self.validate(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n"
            "spec:\n  replicas: two\n  selector: {}\n  template: {}\n")
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("replicas", result.stderr)

    def test_unknown_kind_fails(self):
        result = self.validate("apiVersion: v1\nkind: Gadget\n")
        self.assertEqual(result.returncode, 1)

    def test_valid_object_passes(self):
        result = self.validate(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: x\n")
        self.assertEqual(result.returncode, 0, result.stderr)


class DockerfileTest(unittest.TestCase):
    """The Dockerfile check on a copy of the repository whose Dockerfile
    is edited; everything else is linked to the real files."""

    def check(self, edit):
        with open(os.path.join(ARGS.repo, "deploy/Dockerfile")) as f:
            text = f.read()
        with tempfile.TemporaryDirectory() as repo:
            for name in os.listdir(ARGS.repo):
                if name != "deploy":
                    os.symlink(os.path.join(ARGS.repo, name),
                               os.path.join(repo, name))
            os.mkdir(os.path.join(repo, "deploy"))
            for name in os.listdir(os.path.join(ARGS.repo, "deploy")):
                if name != "Dockerfile":
                    os.symlink(os.path.join(ARGS.repo, "deploy", name),
                               os.path.join(repo, "deploy", name))
            with open(os.path.join(repo, "deploy/Dockerfile"), "w") as f:
                f.write(edit(text))
            try:
                deploy_checks.check_dockerfile(repo, ARGS.build_dir, {
                    "/usr/local/bin/twilio-gateway": ARGS.gateway,
                    "/usr/local/bin/twilio-emulator": ARGS.emulator,
                })
            except deploy_checks.CheckFailed as error:
                return str(error)
        return ""

    def replaced(self, old, new):
        def edit(text):
            self.assertIn(old, text)
            return text.replace(old, new)
        return edit

    def test_the_real_dockerfile_passes(self):
        self.assertEqual(self.check(lambda text: text), "")

    def test_missing_runtime_library(self):
        problems = self.check(self.replaced("    libspdlog1.10 \\\n", ""))
        self.assertIn("from libspdlog1.10, which the runtime stage does not "
                      "install", problems)

    def test_misspelt_package(self):
        problems = self.check(self.replaced("libfmt9", "libfmt99"))
        self.assertIn("installs libfmt99", problems)

    def test_copy_of_a_missing_path(self):
        problems = self.check(self.replaced("COPY proto proto/",
                                            "COPY protos proto/"))
        self.assertIn("COPY protos: not in the repository", problems)

    def test_copy_of_an_artifact_the_build_does_not_make(self):
        problems = self.check(self.replaced(
            "/src/build/service/server/twilio-gateway",
            "/src/build/server/twilio-gateway"))
        self.assertIn("the build makes no server/twilio-gateway", problems)

    def test_source_folder_left_out(self):
        problems = self.check(self.replaced("COPY client client/\n", ""))
        self.assertIn("does not COPY client", problems)

    def test_lock_file_missing_before_setup(self):
        problems = self.check(self.replaced(
            "COPY tools/package.json tools/package-lock.json tools/\n", ""))
        self.assertIn("tools/package-lock.json is not copied before", problems)

    def test_root_user(self):
        problems = self.check(self.replaced("USER 65532:65532", "USER root"))
        self.assertIn("runs as root", problems)

    def test_shell_form_entrypoint(self):
        problems = self.check(self.replaced(
            'ENTRYPOINT ["/usr/local/bin/twilio-gateway"]',
            "ENTRYPOINT /usr/local/bin/twilio-gateway"))
        self.assertIn("not in exec form", problems)

    def test_latest_base(self):
        problems = self.check(self.replaced("FROM debian:12-slim AS runtime",
                                            "FROM debian:latest AS runtime"))
        self.assertIn("latest tag", problems)

    def test_build_tools_in_the_runtime(self):
        problems = self.check(self.replaced("    libc6 \\\n",
                                            "    libc6 \\\n    g++ \\\n"))
        self.assertIn("installs g++, a build tool", problems)


class SecretTemplateTest(unittest.TestCase):

    def problems(self, text):
        with tempfile.TemporaryDirectory() as repo:
            os.makedirs(os.path.join(repo, "deploy/k8s/secret"))
            with open(os.path.join(repo, "deploy/k8s/secret/x.yaml"),
                      "w") as f:
                f.write(text)
            problems = deploy_checks.Problems()
            deploy_checks.check_secret_templates(repo, problems)
            return "\n".join(problems.items)

    def test_a_value_in_a_template_is_refused(self):
        self.assertIn("carries values", self.problems(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n"
            "stringData:\n  credentials.json: '{\"accounts\": "
            "[{\"auth_token\": \"abc\"}]}'\n"))

    def test_an_empty_template_passes(self):
        self.assertEqual(self.problems(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n"
            "type: Opaque\nstringData:\n  credentials.json: "
            "'{\"accounts\": [{\"auth_token\": \"\"}]}'\n"), "")


class ServiceConfigTest(unittest.TestCase):

    def test_only_unavailable_is_retried(self):
        with open(os.path.join(ARGS.repo,
                               "deploy/grpc/service_config.json")) as f:
            config = json.load(f)
        policy = config["methodConfig"][0]["retryPolicy"]
        self.assertEqual(policy["retryableStatusCodes"], ["UNAVAILABLE"])


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", required=True)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--kubectl", default="")
    parser.add_argument("--node", default="node")
    ARGS, rest = parser.parse_known_args()
    ARGS.repo = os.path.abspath(ARGS.repo)
    unittest.main(argv=[sys.argv[0], "-v"] + rest)


if __name__ == "__main__":
    main()
