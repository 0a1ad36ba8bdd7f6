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

  // --- Back: put the page where the reader left it ------------------------------------------------------------
  function navigationType() {
    var nav = window.performance && performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    return nav ? nav.type : "";
  }
  var scrollKey = "policykb:scroll:" + location.pathname + location.search;
  var returning = navigationType() === "back_forward";

  function saveScroll() {
    try { sessionStorage.setItem(scrollKey, String(Math.round(window.scrollY))); } catch (e) { /* storage off */ }
  }

  function restoreScroll() {
    var saved = null;
    try { saved = sessionStorage.getItem(scrollKey); } catch (e) { saved = null; }
    if (saved === null) return false;
    window.scrollTo(0, parseInt(saved, 10) || 0);
    return true;
  }

  window.addEventListener("pagehide", saveScroll);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") saveScroll(); });

  // --- document page: open at the clause, or say the clause is unknown -----------------------------------------
  function showNotice(message) {
    var el = document.getElementById("anchor-notice");
    if (!el) return;
    el.textContent = message;
    el.hidden = false;
  }

  function showTarget(scroll) {
    if (!document.getElementById("doc-body")) return;
    var id = "";
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { id = location.hash.slice(1); }
    var el = id ? document.getElementById(id) : document.querySelector(".clause.is-target");
    if (id && !el) {
      showNotice("本文件中没有条款“" + id.replace(/^c-/, "") + "”，已显示文件开头。");
      return;
    }
    if (!el) return;
    document.querySelectorAll(".clause.is-target").forEach(function (n) { if (n !== el) n.classList.remove("is-target"); });
    if (el.classList.contains("clause")) el.classList.add("is-target");
    if (scroll) el.scrollIntoView({ block: "center" });
  }

  // --- document page: find in this document ------------------------------------------------------------------
  var finder = { marks: [], current: -1, timer: 0 };

  function clearFind() {
    finder.marks.forEach(function (m) {
      var parent = m.parentNode;
      if (!parent) return;
      parent.replaceChild(document.createTextNode(m.textContent), m);
      parent.normalize();
    });
    finder.marks = [];
    finder.current = -1;
  }

  function runFind(term) {
    var body = document.getElementById("doc-body");
    var count = document.getElementById("doc-find-count");
    clearFind();
    term = (term || "").trim();
    if (!term) { count.textContent = ""; return; }
    var walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        return node.parentNode.closest(".clause-tools") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    var needle = term.toLowerCase();
    nodes.forEach(function (node) {
      var text = node.nodeValue, lower = text.toLowerCase(), pos = lower.indexOf(needle);
      if (pos < 0) return;
      var frag = document.createDocumentFragment(), last = 0;
      while (pos >= 0) {
        frag.appendChild(document.createTextNode(text.slice(last, pos)));
        var mark = document.createElement("mark");
        mark.className = "find-hit";
        mark.textContent = text.slice(pos, pos + term.length);
        frag.appendChild(mark);
        finder.marks.push(mark);
        last = pos + term.length;
        pos = lower.indexOf(needle, last);
      }
      frag.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(frag, node);
    });
    if (!finder.marks.length) { count.textContent = "无结果"; return; }
    step(1);
  }

  function step(delta) {
    var count = document.getElementById("doc-find-count");
    if (!finder.marks.length) return;
    if (finder.current >= 0) finder.marks[finder.current].classList.remove("current");
    finder.current = (finder.current + delta + finder.marks.length) % finder.marks.length;
    var mark = finder.marks[finder.current];
    mark.classList.add("current");
    mark.scrollIntoView({ block: "center" });
    count.textContent = (finder.current + 1) + " / " + finder.marks.length;
  }

  function initFind() {
    var input = document.getElementById("doc-find");
    if (!input) return;
    input.addEventListener("input", function () {
      clearTimeout(finder.timer);
      finder.timer = setTimeout(function () { runFind(input.value); }, 200);
    });
    document.getElementById("doc-find-form").addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(finder.timer);
      if (finder.marks.length && finder.marks[0].textContent.toLowerCase() === input.value.trim().toLowerCase()) step(1);
      else runFind(input.value);
    });
    document.getElementById("doc-find-next").addEventListener("click", function () { step(1); });
    document.getElementById("doc-find-prev").addEventListener("click", function () { step(-1); });
  }

  // --- document page: mark the table-of-contents entry of the part being read --------------------------------
  function initToc() {
    var links = document.querySelectorAll(".toc-list a");
    if (!links.length || !("IntersectionObserver" in window)) return;
    var byId = {};
    links.forEach(function (a) { byId[a.getAttribute("href").slice(1)] = a; });
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        var a = byId[entry.target.id];
        if (!a) return;
        links.forEach(function (l) { l.classList.remove("active"); l.removeAttribute("aria-current"); });
        a.classList.add("active");
        a.setAttribute("aria-current", "location");
      });
    }, { rootMargin: "0px 0px -70% 0px" });
    Object.keys(byId).forEach(function (id) { var el = document.getElementById(id); if (el) observer.observe(el); });
  }

  // --- 条文对照: show only the articles that changed -----------------------------------------------------------
  function initCompare() {
    var box = document.getElementById("only-changed");
    var table = document.getElementById("compare-table");
    if (!box || !table) return;
    function apply() { table.classList.toggle("only-changed", box.checked); }
    box.addEventListener("change", apply);
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    initCompare();
    initFind();
    initToc();
    var restored = returning && restoreScroll();
    showTarget(!restored);
  });
  window.addEventListener("hashchange", function () { showTarget(true); });
})();
