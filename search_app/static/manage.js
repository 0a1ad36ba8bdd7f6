// 文件管理: poll every unfinished job's /api/jobs/<id> and update its progress bar, stage, rejected files, result.
(function () {
  "use strict";
  var STATES = {queued: "排队中", running: "处理中", done: "已完成", failed: "失败"};

  function text(el, value) { if (el) { el.textContent = value; } }

  function render(block, job) {
    block.dataset.state = job.state;
    var bar = block.querySelector("progress");
    if (bar) { bar.value = job.progress; bar.textContent = Math.round(job.progress * 100) + "%"; }
    text(block.querySelector(".job-state"), STATES[job.state] || job.state);
    text(block.querySelector(".job-stage"), job.stage);
    text(block.querySelector(".job-message"), job.message);
    var list = block.querySelector(".job-rejected");
    if (list) {
      list.textContent = "";
      job.rejected.forEach(function (r) {
        var li = document.createElement("li"), b = document.createElement("strong");
        b.textContent = r.name;
        li.appendChild(b);
        li.appendChild(document.createTextNode("：" + r.reason));
        list.appendChild(li);
      });
    }
    var result = block.querySelector(".job-result");
    if (result && job.result && job.result.files && job.result.files.length) {
      result.textContent = "已收录：" + job.result.files.join("、") + "。";
    }
  }

  function poll(block) {
    fetch(block.dataset.jobUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        render(block, job);
        if (job.state === "queued" || job.state === "running") { setTimeout(function () { poll(block); }, 500); }
      })
      .catch(function () { setTimeout(function () { poll(block); }, 2000); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".job").forEach(function (block) {
      if (block.dataset.state === "queued" || block.dataset.state === "running") { poll(block); }
    });
    document.querySelectorAll(".delete-form").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (!window.confirm("确定从知识库删除这份文件？")) { ev.preventDefault(); }
      });
    });
  });
}());
