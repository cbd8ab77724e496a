/* budgetbot 预算问答 widget. Embed on a portal page:
 *   <div id="budgetbot"></div>
 *   <script src="https://BOT-HOST/widget.js" data-target="budgetbot" defer></script>
 * The API is the script's own origin (data-api overrides it). The portal's origin must be in
 * the bot's [web] allowed_origins. Answers are inserted as text, never as HTML. */
(function () {
  "use strict";
  var script = document.currentScript;
  var api = (script && script.getAttribute("data-api")) || (script ? new URL(script.src).origin : "");
  var targetId = script && script.getAttribute("data-target");
  var host = (targetId && document.getElementById(targetId)) || null;
  if (!host) {
    host = document.createElement("div");
    if (script && script.parentNode) script.parentNode.insertBefore(host, script.nextSibling);
    else document.body.appendChild(host);
  }
  var uid = "budgetbot-" + Math.random().toString(36).slice(2, 8);

  var style = document.createElement("style");
  style.textContent =
    ".bb-box{font:16px/1.6 system-ui,'PingFang SC','Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:40rem;width:100%;box-sizing:border-box;border:1px solid #c8d0da;border-radius:8px;padding:12px;background:#fff;color:#1a1a1a}" +
    ".bb-box h2{font-size:1.1rem;margin:0 0 8px}" +
    ".bb-log{margin:8px 0}" +  /* grows with the conversation: the page scrolls, earlier answers stay readable */
    ".bb-q{margin:8px 0 2px;font-weight:600}" +
    ".bb-a{margin:0 0 4px;white-space:pre-wrap}" +
    ".bb-items{margin:0 0 4px;padding-left:1.2rem}" +
    ".bb-src{font-size:.85rem;color:#4a5565;margin:0 0 8px}" +
    ".bb-box img{max-width:100%;height:auto;display:block;margin:4px 0}" +
    ".bb-row{display:flex;gap:8px;flex-wrap:wrap}" +
    ".bb-row input{flex:1 1 12rem;min-width:0;font:inherit;padding:8px;border:1px solid #8a96a3;border-radius:6px}" +
    ".bb-row button,.bb-opt{font:inherit;padding:8px 14px;border-radius:6px;border:1px solid #2563b5;background:#2563b5;color:#fff;cursor:pointer}" +
    ".bb-opt{background:#fff;color:#2563b5;margin:2px 4px 2px 0;padding:4px 10px}" +
    ".bb-row button:focus,.bb-opt:focus,.bb-row input:focus{outline:3px solid #f5b700;outline-offset:1px}";
  document.head.appendChild(style);

  var box = document.createElement("section");
  box.className = "bb-box";
  box.setAttribute("aria-labelledby", uid + "-title");
  var title = document.createElement("h2");
  title.id = uid + "-title";
  title.textContent = "预算问答";
  var log = document.createElement("div");
  log.className = "bb-log";
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions");
  var form = document.createElement("form");
  form.className = "bb-row";
  var label = document.createElement("label");
  label.setAttribute("for", uid + "-input");
  label.textContent = "您的问题";
  label.style.cssText = "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)";
  var input = document.createElement("input");
  input.id = uid + "-input";
  input.type = "text";
  input.maxLength = 500;
  input.autocomplete = "off";
  input.placeholder = "例如：项目支出多少";
  var button = document.createElement("button");
  button.type = "submit";
  button.textContent = "提问";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(button);
  var hint = document.createElement("p");
  hint.className = "bb-src";
  hint.textContent = "回答只来自已公开的部门预算、决算，每个数字注明出处；拿不准时会反问。";
  box.appendChild(title);
  box.appendChild(hint);
  box.appendChild(log);
  box.appendChild(form);
  host.appendChild(box);

  function line(cls, text) {
    var p = document.createElement("p");
    p.className = cls;
    p.textContent = text;
    return p;
  }

  function show(question, data) {
    var entry = document.createElement("div");
    entry.className = "bb-entry";
    entry.appendChild(line("bb-q", "问：" + question));
    // the statement and its entries, then one line saying where every figure shown stands
    var said = line("bb-a", data.statement || data.answer || data.error || "没有得到回答，请稍后再试。");
    if (data.figure_span) {  // the figure in bold, where the answer says it stands (text nodes only)
      var text = said.textContent, strong = document.createElement("strong");
      strong.textContent = text.slice(data.figure_span[0], data.figure_span[1]);
      said.textContent = text.slice(0, data.figure_span[0]);
      said.appendChild(strong);
      said.appendChild(document.createTextNode(text.slice(data.figure_span[1])));
    }
    entry.appendChild(said);
    if (data.items && data.items.length) {
      var list = document.createElement("ul");
      list.className = "bb-items";
      data.items.forEach(function (t) { var li = document.createElement("li"); li.textContent = t; list.appendChild(li); });
      entry.appendChild(list);
    }
    if (data.cite) entry.appendChild(line("bb-src bb-cite", "出处：" + data.cite));
    if (data.chart) {
      var img = document.createElement("img");
      img.src = data.chart;
      img.alt = (data.chart_title || "图表") + "（条形图，数字同上文）";
      entry.appendChild(img);
    }
    if (data.status === "clarify" && data.options && data.options.length) {
      var opts = document.createElement("div");
      opts.setAttribute("role", "group");
      opts.setAttribute("aria-label", "请选择您要问的");
      data.options.forEach(function (o) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "bb-opt";
        b.textContent = o;
        b.addEventListener("click", function () { ask(o); });
        opts.appendChild(b);
      });
      entry.appendChild(opts);
    }
    log.appendChild(entry);
    entry.scrollIntoView({ block: "nearest" });
  }

  function ask(question) {
    question = (question || "").trim();
    if (!question) { input.focus(); return; }
    button.disabled = true;
    // a chart is drawn for the width it is shown at, in this screen's pixels (labels stay readable on a phone)
    var asked = { question: question, chart_width: Math.round(log.clientWidth || box.clientWidth), pixel_ratio: window.devicePixelRatio || 1 };
    fetch(api + "/api/ask", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(asked) })
      .then(function (r) { return r.json().catch(function () { return { error: "服务暂时不可用，请稍后再试。" }; }); })
      .then(function (data) { show(question, data); })
      .catch(function () { show(question, { error: "连接不上问答服务，请稍后再试。" }); })
      .then(function () { button.disabled = false; });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = input.value;
    input.value = "";
    ask(q);
  });
})();
