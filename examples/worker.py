#!/usr/bin/env python3
"""An external worker for the task executor, in Python with only the standard library.

    python3 examples/worker.py            # with the server running on http://localhost:4000

It registers, then claims tasks of its kinds over GraphQL (long-polling while none is ready),
runs each in a thread, and completes or fails it. A heartbeat thread keeps its leases alive and
stops tasks that were cancelled meanwhile. SIGTERM or Ctrl-C: it stops claiming, lets running
tasks finish (up to GRACE_SECONDS), hands back at once (releaseTasks) those still running and any
that a claim answering after the stop brought, and exits. Killed instead, its tasks go back to the
queue when their lease expires.

Environment: TASK_EXECUTOR_URL (default http://localhost:4000/graphql), TASK_EXECUTOR_KEY (an
API key with the worker scope, when the server has keys), WORKER_NAME, WORKER_CONCURRENCY
(default 4), GRACE_SECONDS (default 10).

Kinds it runs (add your own to KINDS):
    py.reverse  input {"text": "abc"}  -> {"reversed": "cba"}
    py.sleep    input {"ms": 2000}     -> {"sleptMs": 2000}, with progress and log lines
"""
import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.request

URL = os.environ.get("TASK_EXECUTOR_URL", "http://localhost:4000/graphql")
KEY = os.environ.get("TASK_EXECUTOR_KEY")
NAME = os.environ.get("WORKER_NAME") or f"python@{socket.gethostname()}:{os.getpid()}"
CONCURRENCY = int(os.environ.get("WORKER_CONCURRENCY", "4"))
GRACE_SECONDS = float(os.environ.get("GRACE_SECONDS", "10"))


class Cancelled(Exception):
    pass


class TaskContext:
    """What a handler gets besides its input: progress, log lines, and a cancellation flag."""

    def __init__(self, worker, task_id):
        self.worker = worker
        self.task_id = task_id
        self.cancelled = threading.Event()

    def progress(self, fraction, message=None):
        self.worker.call_on_task("reportTaskProgress", self.task_id, "$progress: Float!, $message: String",
                                 "progress: $progress, message: $message", {"progress": fraction, "message": message})

    def log(self, message, level="info"):
        self.worker.call_on_task("appendTaskLog", self.task_id, "$message: String!, $level: String",
                                 "message: $message, level: $level", {"message": message, "level": level})

    def sleep(self, seconds):
        """Sleeps, but wakes and raises Cancelled as soon as the task is cancelled."""
        if self.cancelled.wait(seconds):
            raise Cancelled()


def reverse(task_input, ctx):
    return {"reversed": str((task_input or {}).get("text", ""))[::-1]}


def sleep(task_input, ctx):
    ms = int((task_input or {}).get("ms", 1000))
    steps = 4
    for step in range(1, steps + 1):
        ctx.sleep(ms / steps / 1000)
        ctx.progress(step / steps, f"slept {ms * step // steps} of {ms} ms")
        ctx.log(f"step {step} of {steps}")
    return {"sleptMs": ms}


KINDS = {"py.reverse": reverse, "py.sleep": sleep}


class GraphQLError(Exception):
    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code


def graphql(query, variables=None, timeout=90):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    headers = {"content-type": "application/json"}
    if KEY:
        headers["authorization"] = f"Bearer {KEY}"
    request = urllib.request.Request(URL, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = json.load(response)
    except urllib.error.HTTPError as error:
        payload = json.load(error)
    if payload.get("errors"):
        first = payload["errors"][0]
        raise GraphQLError(first.get("extensions", {}).get("code", "ERROR"), first.get("message", ""))
    return payload["data"]


def log(message, **fields):
    print(json.dumps({"worker": NAME, "msg": message, **fields}), flush=True)


class Worker:
    def __init__(self):
        self.id = None
        self.lease_seconds = 30
        self.running = {}  # task id -> TaskContext
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def register(self):
        data = graphql(
            "mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) { id leaseSeconds } }",
            {"input": {"name": NAME, "kinds": sorted(KINDS), "concurrency": CONCURRENCY}},
        )
        self.id = data["registerWorker"]["id"]
        self.lease_seconds = data["registerWorker"]["leaseSeconds"]
        log("registered", id=self.id, kinds=sorted(KINDS), concurrency=CONCURRENCY)

    def call_on_task(self, field, task_id, params, args, variables):
        query = f"mutation($id: ID!, $workerId: ID!, {params}) {{ {field}(id: $id, workerId: $workerId, {args}) {{ id }} }}"
        try:
            graphql(query, {"id": task_id, "workerId": self.id, **variables})
        except GraphQLError as error:
            if error.code in ("NOT_TASK_OWNER", "TASK_FINISHED"):
                # Cancelled or lost meanwhile: stop working on it.
                with self.lock:
                    ctx = self.running.get(task_id)
                if ctx:
                    ctx.cancelled.set()
            raise

    def heartbeat_loop(self):
        while not self.stopping.wait(self.lease_seconds / 3):
            try:
                data = graphql("mutation($id: ID!) { heartbeatWorker(id: $id) { cancelledTaskIds } }", {"id": self.id})
                for task_id in data["heartbeatWorker"]["cancelledTaskIds"]:
                    with self.lock:
                        ctx = self.running.get(task_id)
                    if ctx:
                        log("task cancelled", taskId=task_id)
                        ctx.cancelled.set()
            except Exception as error:  # the server may be restarting: keep beating
                log("heartbeat failed", error=str(error))

    def run_task(self, task):
        task_id = task["id"]
        ctx = TaskContext(self, task_id)
        with self.lock:
            self.running[task_id] = ctx
        try:
            result = KINDS[task["kind"]](task["input"], ctx)
            graphql("mutation($id: ID!, $w: ID!, $r: JSON) { completeTask(id: $id, workerId: $w, result: $r) { status } }",
                    {"id": task_id, "w": self.id, "r": result})
            log("task completed", taskId=task_id, kind=task["kind"])
        except Cancelled:
            log("task stopped", taskId=task_id)
        except GraphQLError as error:
            log("task outcome refused", taskId=task_id, code=error.code)
        except Exception as error:
            try:
                graphql("mutation($id: ID!, $w: ID!, $e: String!) { failTask(id: $id, workerId: $w, error: $e) { status } }",
                        {"id": task_id, "w": self.id, "e": f"{type(error).__name__}: {error}"})
                log("task failed", taskId=task_id, error=str(error))
            except Exception as report_error:
                log("could not report a failure", taskId=task_id, error=str(report_error))
        finally:
            with self.lock:
                self.running.pop(task_id, None)

    def claim_loop(self):
        while not self.stopping.is_set():
            with self.lock:
                free = CONCURRENCY - len(self.running)
            if free <= 0:
                time.sleep(0.05)
                continue
            try:
                data = graphql(
                    "mutation($w: ID!, $n: Int!) { claimTasks(workerId: $w, limit: $n, waitSeconds: 20) { id kind input } }",
                    {"w": self.id, "n": free},
                )
            except GraphQLError as error:
                if error.code == "WORKER_NOT_FOUND":
                    self.register()
                    continue
                log("claim refused", error=str(error))
                time.sleep(1)
                continue
            except Exception as error:  # server away: try again shortly
                log("claim failed", error=str(error))
                time.sleep(1)
                continue
            if self.stopping.is_set():
                # The long poll answered after the stop: these will not start here.
                self.release([task["id"] for task in data["claimTasks"]])
                break
            for task in data["claimTasks"]:
                log("task claimed", taskId=task["id"], kind=task["kind"])
                threading.Thread(target=self.run_task, args=(task,), daemon=True).start()

    def wait_for_running(self):
        deadline = time.time() + GRACE_SECONDS
        while time.time() < deadline:
            with self.lock:
                if not self.running:
                    return
            time.sleep(0.1)
        # Past the grace period: stop the handlers and hand their tasks back for another worker,
        # instead of leaving them to their leases.
        with self.lock:
            left = dict(self.running)
        for ctx in left.values():
            ctx.cancelled.set()
        self.release(list(left))

    def release(self, task_ids):
        if not task_ids:
            return
        try:
            data = graphql("mutation($w: ID!, $ids: [ID!]!) { releaseTasks(workerId: $w, ids: $ids) }", {"w": self.id, "ids": task_ids})
            log("tasks handed back", taskIds=data["releaseTasks"])
        except Exception as error:  # their leases will expire instead
            log("could not hand tasks back", error=str(error))


def main():
    worker = Worker()
    while True:
        try:
            worker.register()
            break
        except (urllib.error.URLError, ConnectionError) as error:
            log("server not reachable; retrying", error=str(error))
            time.sleep(1)

    def stop(signum, frame):
        log("stopping")
        worker.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=worker.heartbeat_loop, daemon=True).start()
    # The claim loop's long poll may outlast a stop signal by up to waitSeconds: run it aside.
    threading.Thread(target=worker.claim_loop, daemon=True).start()
    worker.stopping.wait()
    worker.wait_for_running()
    log("stopped")
    sys.exit(0)


if __name__ == "__main__":
    main()
