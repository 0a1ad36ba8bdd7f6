// 政策知识库: copy a citation, and open a document page at its clause. No inline script (CSP: script-src 'self').
(function () {
  "use strict";

  function toast(message) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = message;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.hidden = true; }, 1800);
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (!button) return;
    copy(button.getAttribute("data-copy") || "").then(function () {
      button.classList.add("copied");
      button.textContent = "已复制";
      toast("引用已复制");
      setTimeout(function () { button.classList.remove("copied"); button.textContent = "复制引用"; }, 1500);
    }, function () { toast("复制失败，请手动选择文本复制"); });
  });

  function showTarget() {
    var id = "";
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { id = location.hash.slice(1); }
    var el = id ? document.getElementById(id) : document.querySelector(".clause.is-target");
    if (!el) return;
    document.querySelectorAll(".clause.is-target").forEach(function (n) { if (n !== el) n.classList.remove("is-target"); });
    el.classList.add("is-target");
    el.scrollIntoView({ block: "center" });
  }

  document.addEventListener("DOMContentLoaded", showTarget);
  window.addEventListener("hashchange", showTarget);
})();
