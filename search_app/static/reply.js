// 答复草稿: re-render the draft when a candidate clause is checked or unchecked, export .docx / plain text.
// Everything from the server is inserted as text (textContent), never as HTML. No inline script (CSP).
(function () {
  "use strict";

  var root = document.getElementById("reply");
  if (!root) return;
  var draft = document.getElementById("draft");
  var status = document.getElementById("reply-status");
  var printed = document.getElementById("draft-print");  // the draft as printed (a textarea prints cut off)
  var citations = [];
  document.querySelectorAll("#reply-citations li").forEach(function (li) { citations.push(li.textContent); });

  function checkedIds() {
    return Array.prototype.map.call(root.querySelectorAll("input.cand:checked"), function (el) { return el.value; });
  }

  function body() {
    return { inquiry: root.getAttribute("data-inquiry"), clause_ids: checkedIds() };
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(payload)
    }).then(function (res) {
      if (res.ok) return res;
      return res.json().then(function (data) {
        throw new Error((data && data.error && data.error.message) || ("HTTP " + res.status));
      }, function () { throw new Error("HTTP " + res.status); });
    });
  }

  function item(tag, parts) {
    var li = document.createElement(tag);
    parts.forEach(function (p) {
      var el = document.createElement(p[0]);
      if (p[1]) el.className = p[1];
      el.textContent = p[2];
      li.appendChild(el);
      li.appendChild(document.createTextNode(" "));
    });
    return li;
  }

  function render(data) {
    draft.value = data.draft;
    printed.textContent = data.draft;
    root.setAttribute("data-found", data.found ? "true" : "false");
    status.className = "reply-status " + (data.found ? "found" : "not-found");
    status.textContent = data.found ? "已引用 " + data.citations.length + " 条依据"
      : (checkedIds().length ? "未找到明确依据：草稿列出相近规定中的单位供咨询" : "未选择引用条款");
    var units = document.getElementById("reply-units");
    units.textContent = "";
    data.units.forEach(function (u) {
      var li = item("li", [["strong", "unit", u.name], ["span", "badge", u.role], ["span", "duty", u.duty],
                           ["span", "citation", "— " + u.citation]]);
      li.className = "unit-item";
      units.appendChild(li);
    });
    var list = document.getElementById("reply-citations");
    list.textContent = "";
    citations = [];
    data.citations.forEach(function (c) {
      var text = c.citation + "：“" + c.text + "”";
      citations.push(text);
      list.appendChild(item("li", [["span", "citation", c.citation], ["span", "", "：“" + c.text + "”"]]));
    });
  }

  function refresh() {
    root.setAttribute("aria-busy", "true");
    root.setAttribute("data-drawn", checkedIds().join("\n"));
    post(root.getAttribute("data-api"), body()).then(function (res) { return res.json(); })
      .then(render, function (err) { status.className = "reply-status not-found"; status.textContent = "生成失败：" + err.message; })
      .then(function () { root.setAttribute("aria-busy", "false"); });
  }

  function download(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  draft.addEventListener("input", function () { printed.textContent = draft.value; });

  // Back to this page: the browser restores the checkboxes the reader changed but not the draft, units and status
  // the script drew from them, so redraw when the checked set differs from the one the page was sent with.
  window.addEventListener("pageshow", function () {
    var changed = Array.prototype.some.call(root.querySelectorAll("input.cand"), function (el) {
      return el.checked !== el.defaultChecked;
    });
    if (changed && root.getAttribute("data-drawn") !== checkedIds().join("\n")) refresh();
    else printed.textContent = draft.value;
  });

  root.addEventListener("change", function (event) {
    if (event.target.matches("input.cand")) refresh();
  });

  document.getElementById("export-docx").addEventListener("click", function () {
    var payload = body();
    payload.draft = draft.value;
    post(root.getAttribute("data-docx"), payload).then(function (res) { return res.blob(); })
      .then(function (blob) { download(blob, "答复草稿.docx"); },
            function (err) { status.textContent = "导出失败：" + err.message; });
  });

  document.getElementById("export-txt").addEventListener("click", function () {
    var text = draft.value + "\n\n引用依据：\n" + citations.map(function (c, i) { return (i + 1) + ". " + c; }).join("\n") + "\n";
    download(new Blob([text], { type: "text/plain;charset=utf-8" }), "答复草稿.txt");
  });
})();
