"""Background jobs that change the knowledge base: upload, replace and delete documents of the managed corpus.

One worker thread runs jobs one at a time: check each staged file (ingest it alone; a file that yields no document
is rejected with the reason), move accepted originals into Config.managed_path, incrementally rebuild the index
over the managed corpus (index.build.build_index: documents from other corpus paths are kept), then
`search_app.kb.reload`. Job state lives in the users database, so a job cut short by a crash is resumed when the
server starts again (every step may safely run twice); the index itself is swapped atomically, so until then the
old index keeps serving.
"""
from __future__ import annotations

import os
import queue
import re
import shutil
import threading
import uuid
from contextlib import closing
from pathlib import Path

from flask import Flask

from index.embedding_job import process_alive
from search_app import userdb
from search_app.errors import scrub_paths

STATES = ("queued", "running", "done", "failed")
KINDS = ("upload", "replace", "delete")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')
MAX_NAME_CHARS = 120


def safe_filename(raw: str) -> str:
    """The base name of an uploaded file with separators, control and reserved characters removed ('' if none
    is left). Chinese names are kept: ingest reads titles and dates from them."""
    name = re.split(r"[/\\]", raw or "")[-1]
    name = _UNSAFE.sub("", name).strip().lstrip(".").strip()
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME_CHARS - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:MAX_NAME_CHARS]
    return name


def job_json(row) -> dict:
    """The API shape of a job row."""
    import json

    return {
        "id": row["id"], "kind": row["kind"], "user": row["user"], "state": row["state"], "stage": row["stage"],
        "progress": round(float(row["progress"]), 3), "message": row["message"],
        "rejected": json.loads(row["rejected"]), "result": json.loads(row["result"]),
        "created": row["created"], "updated": row["updated"], "url": f"/api/jobs/{row['id']}",
    }


class Jobs:
    """The job queue of one app (kept in app.extensions["policykb_jobs"])."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.cfg = app.config["POLICYKB"]
        self._queue: queue.Queue[str] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.owner = f"{os.getpid()}:{uuid.uuid4().hex[:8]}"  # which server process (and app) runs a job

    # --- paths ------------------------------------------------------------------------------------------------
    @property
    def managed(self) -> Path:
        return Path(self.cfg.managed_path)

    def staging(self, job_id: str) -> Path:
        """Where a job's uploaded files wait until they are checked (beside, not inside, the managed corpus)."""
        return self.managed.parent / f".{self.managed.name}.incoming" / job_id

    # --- rows ---------------------------------------------------------------------------------------------------
    def _update(self, job_id: str, **values) -> None:
        values["updated"] = userdb.now()
        cols = ", ".join(f"{k}=?" for k in values)
        with closing(userdb.connect(self.cfg.users_path)) as db:
            db.execute(f"UPDATE jobs SET {cols} WHERE id=?", [*values.values(), job_id])

    def get(self, job_id: str) -> dict | None:
        with closing(userdb.connect(self.cfg.users_path)) as db:
            row = db.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
        return job_json(row) if row else None

    def recent(self, limit: int = 20) -> list[dict]:
        with closing(userdb.connect(self.cfg.users_path)) as db:
            rows = db.execute("SELECT * FROM jobs ORDER BY created DESC, rowid DESC LIMIT ?", (limit,)).fetchall()
        return [job_json(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """Jobs per state (for /metrics)."""
        with closing(userdb.connect(self.cfg.users_path)) as db:
            found = dict(db.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state").fetchall())
        return {s: int(found.get(s, 0)) for s in STATES}

    # --- submitting -------------------------------------------------------------------------------------------
    def new_id(self) -> str:
        return uuid.uuid4().hex[:16]

    def submit(self, job_id: str, kind: str, user: str, spec: dict, rejected: list[dict]) -> dict:
        """Record a job (its files already staged) and queue it; returns its JSON."""
        now = userdb.now()
        with closing(userdb.connect(self.cfg.users_path)) as db:
            db.execute("INSERT INTO jobs (id, kind, user, state, stage, progress, message, spec, rejected, result, "
                       "created, updated, owner) VALUES (?, ?, ?, 'queued', 'queued', 0, '', ?, ?, '{}', ?, ?, ?)",
                       (job_id, kind, user, userdb.dumps(spec), userdb.dumps(rejected), now, now, self.owner))
        self._queue.put(job_id)
        self._ensure_worker()
        return self.get(job_id)

    def resume(self) -> list[str]:
        """Queue again every job a server process that is gone left queued or running (it was cut short); jobs
        of a live process (or of another app in this one) are left to it."""
        with closing(userdb.connect(self.cfg.users_path)) as db:
            rows = db.execute("SELECT id, owner FROM jobs WHERE state IN ('queued', 'running') ORDER BY created")
            ids = [job_id for job_id, owner in rows if not _owner_alive(owner)]
        for job_id in ids:
            self._update(job_id, state="queued", stage="queued", owner=self.owner, message="服务器重启，任务已恢复执行")
            self._queue.put(job_id)
        if ids:
            self._ensure_worker()
        return ids

    def _ensure_worker(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="policykb-jobs", daemon=True)
                self._thread.start()

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until the queue is empty and the worker idle (tests and shutdown)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.05)
        return False

    # --- running ------------------------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            job_id = self._queue.get()
            try:
                self._run(job_id)
            except Exception as exc:  # the job fails, the worker goes on
                self.app.logger.exception("job %s failed", job_id)
                self._update(job_id, state="failed", stage="failed",
                             message=scrub_paths(f"{type(exc).__name__}: {exc}")[:500])
                self._audit_end(job_id, "job.failed", str(exc))
            finally:
                self._queue.task_done()

    def _run(self, job_id: str) -> None:
        import json

        with closing(userdb.connect(self.cfg.users_path)) as db:
            row = db.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
        if row is None or row["state"] not in ("queued", "running"):
            return
        spec, rejected = json.loads(row["spec"]), json.loads(row["rejected"])
        self._update(job_id, state="running", stage="check", progress=0.02)
        self.managed.mkdir(parents=True, exist_ok=True)
        accepted = self._check(spec.get("files", []), rejected, spec.get("doc_id"))
        self._update(job_id, rejected=userdb.dumps(rejected), progress=0.05)
        if row["kind"] in ("upload", "replace") and not accepted:
            self._update(job_id, state="failed", stage="failed", progress=1.0, message="没有可收录的文件（见被拒文件及原因）")
            self._audit_end(job_id, "job.failed", "all files rejected")
            shutil.rmtree(self.staging(job_id), ignore_errors=True)
            return
        self._update(job_id, stage="move", progress=0.08)
        moved = self._move(job_id, row["kind"], spec, accepted)
        report = self._build(job_id)
        mine = {str(p.resolve()) for p in moved}
        duplicates = [d for d in report.duplicates if str(Path(d).resolve()) in mine]
        for dup in duplicates:  # not kept: the managed corpus holds exactly what the index holds
            rejected.append({"name": Path(dup).name, "reason": "与知识库中已有文件内容相同（重复），未收录"})
            Path(dup).unlink(missing_ok=True)
        self._update(job_id, stage="reload", progress=0.97, rejected=userdb.dumps(rejected))
        from search_app.kb import reload

        reload(self.app)
        result = {"added": report.added, "changed": report.changed, "removed": report.removed,
                  "documents": report.documents, "unchanged": report.unchanged,
                  "files": [p.name for p in moved if str(p.resolve()) not in {str(Path(d).resolve()) for d in duplicates}]}
        failed = row["kind"] != "delete" and not result["files"]
        self._update(job_id, state="failed" if failed else "done", stage="failed" if failed else "done", progress=1.0,
                     result=userdb.dumps(result), message="没有可收录的文件（见被拒文件及原因）" if failed else "")
        self._audit_end(job_id, "job.failed" if failed else "job.done",
                        f"added {len(report.added)}, changed {len(report.changed)}, removed {len(report.removed)}")
        shutil.rmtree(self.staging(job_id), ignore_errors=True)

    def _existing(self) -> dict[str, tuple[str, str]]:
        """id -> (content hash, title) of every document the served index holds."""
        from search_app.kb import get_kb

        with self.app.app_context():
            return {d["id"]: (d["content_hash"], d["title"]) for d in get_kb().sources()}

    def _check(self, files: list[dict], rejected: list[dict], replacing: str | None = None) -> list[dict]:
        """The staged files that yield a document not already in the index; the others are added to `rejected`
        with the reason (unreadable, no text, or the same document with the same body: a duplicate)."""
        from ingest.pipeline import ingest_paths

        existing = self._existing() if files else {}
        accepted = []
        for f in files:
            staged, target = Path(f["staged"]), self.managed / f["name"]
            if not staged.exists():
                if target.exists():  # moved before a restart: already checked
                    accepted.append(f)
                continue
            result = ingest_paths([staged], config=self.cfg)  # per-file limits and time budget (worker process)
            dup = next((existing[d.id][1] for d in result.documents if d.id != replacing and d.id in existing
                        and existing[d.id][0] == d.content_hash), None)
            if dup is not None:
                rejected.append({"name": f["name"], "reason": f"与知识库中已有的《{dup}》内容相同（重复），未收录"})
                staged.unlink(missing_ok=True)
                continue
            if result.documents:
                accepted.append(f)
                continue
            reasons = "；".join(p.reason for p in result.problems) or "未能识别出文件内容"
            rejected.append({"name": f["name"], "reason": scrub_paths(reasons)[:300]})
            staged.unlink(missing_ok=True)
        return accepted

    def _move(self, job_id: str, kind: str, spec: dict, accepted: list[dict]) -> list[Path]:
        """Put accepted originals into the managed corpus; remove the replaced/deleted document's file."""
        moved = []
        for f in accepted:
            staged, target = Path(f["staged"]), self.managed / f["name"]
            if staged.exists():
                os.replace(staged, target)
            moved.append(target)
        old = spec.get("old_file")
        if kind in ("replace", "delete") and old:
            old_path = self.managed / old
            if all(old_path != m for m in moved):
                old_path.unlink(missing_ok=True)
        return moved

    def _build(self, job_id: str):
        from index.build import build_index

        def progress(stage: str, fraction: float) -> None:
            self._update(job_id, stage=stage, progress=0.1 + 0.85 * fraction)

        self._update(job_id, stage="build", progress=0.1)
        return build_index([self.managed], self.cfg.index_dir, embedder=self.cfg.embedder,
                           cache_dir=self.cfg.cache_dir, config=self.cfg, on_progress=progress)

    def _audit_end(self, job_id: str, action: str, detail: str) -> None:
        job = self.get(job_id) or {"kind": "?", "user": "?"}
        userdb.audit(self.cfg.users_path, job["user"], action, job["kind"], job=job_id, detail=scrub_paths(detail)[:500])


def _owner_alive(owner: str) -> bool:
    """Whether the process named in a job's owner ("pid:app") still runs (this process counts as alive)."""
    try:
        pid = int(owner.split(":", 1)[0])
    except ValueError:
        return False
    return pid == os.getpid() or process_alive(pid)


def init_jobs(app: Flask) -> Jobs:
    """The app's job queue; jobs a killed server left unfinished are resumed now."""
    jobs = Jobs(app)
    app.extensions["policykb_jobs"] = jobs
    jobs.resume()
    return jobs


def get_jobs(app: Flask) -> Jobs:
    return app.extensions["policykb_jobs"]
