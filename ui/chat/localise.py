"""Chinese for the few strings Streamlit draws itself (uploader, multiselect, feedback, help icons,
toolbar), which its widgets take no parameter for.

A small script rewrites matching text, aria-label, title and placeholder in the page as
Streamlit draws them. Nothing here imports Streamlit.
"""
from __future__ import annotations

import json
import re

# (English pattern as drawn by Streamlit, Chinese replacement); whole-string matches.
REPLACEMENTS: list[tuple[str, str]] = [
    (r"Drag and drop files? here", "把文件拖到这里"),
    (r"(?:Limit )?(\d+(?:\.\d+)?)\s*MB per file(?: • (.*))?", "单个文件不超过 $1 MB"),
    (r"Browse files", "选择文件"),
    (r"Upload", "上传"),
    (r"Uploading\.*", "正在上传…"),
    (r"Select all", "全选"),
    (r"Clear all", "全部清除"),
    (r"Clear value", "清除"),
    (r"No results", "没有匹配的讲话"),
    (r"Remove(?: (.*))?", "移除"),
    (r"Delete", "删除"),
    (r"Thumbs up", "有帮助"),
    (r"Thumbs down", "没帮助"),
    (r"Help for (.+)", "$1的说明"),
    (r"Help", "说明"),
    (r"Close", "关闭"),
    (r"Open sidebar", "展开侧栏"),
    (r"Close sidebar", "收起侧栏"),
    (r"Collapse sidebar", "收起侧栏"),
    (r"Expand sidebar", "展开侧栏"),
    (r"Main menu", "主菜单"),
    (r"Running\.*", "运行中…"),
    (r"Stop", "停止"),
    (r"Deploy", "部署"),
    (r"Send message", "发送"),
    (r"Send", "发送"),
    (r"Fullscreen", "全屏"),
    (r"Close fullscreen", "退出全屏"),
    (r"File must be ([\d.]+) ?MB or smaller\.", "文件不能超过 $1 MB。"),
    (r"Connecting", "正在连接"),
    (r"Skip to main content", "跳到正文"),
    (r"Sidebar", "侧栏"),
    (r"App pages", "页面"),
    (r"Open", "打开"),
    (r"file upload", "上传文件"),
    (r"Link to heading", "标题链接"),
    (r"Chat message from user", "提问"),
    (r"Chat message from assistant", "回答"),
    (r"Feedback rating", "评价"),
    (r"Dismiss", "关闭"),
    # What the speech filter's list reads out to screen readers.
    (r"(\d+) options? available\.?", "共 $1 项"),
    (r"(\d+) results? available(?: for search term (.+))?\.?", "共 $1 项匹配"),
    (r"No options", "没有选项"),
    (r"option (.+?) focused(?:, (?:selected|disabled))*, (\d+) of (\d+)\.?", "$1，第 $2 项，共 $3 项"),
    (r"option (.+?),? (?:selected|deselected|removed)\.?", "$1"),
    (r"value (.+?) focused.*", "$1"),
    (r"options? (.+?),? (?:selected|deselected|removed)\.?", "$1"),
    (r"Use Up and Down to choose options.*", "用上下键选择，回车确认，退出键关闭"),
    (r"(?:.+ )?is focused.*", "已选中输入框，可输入文字筛选"),
    (r"Use left and right to toggle between focused values.*", "用左右键切换已选项"),
    (r"Select\.\.\.", "请选择"),
    # The text box's hint while typing, and the glossary table's toolbar and column menu.
    (r"Press (?:Enter|⌘\+Enter|Ctrl\+Enter) to (?:apply|submit form)", "按回车键确认"),
    (r"Download as CSV", "下载表格"),
    (r"Search", "搜索"),
    (r"Show/hide columns", "显示或隐藏列"),
    (r"Sort ascending", "升序排列"),
    (r"Sort descending", "降序排列"),
    (r"Pin column", "固定列"),
    (r"Unpin column", "取消固定列"),
    (r"Hide column", "隐藏列"),
    (r"Autosize", "自动列宽"),
    (r"Loading\.*", "加载中…"),
    (r"Please wait\.*", "请稍候…"),
]


def translate(text: str) -> str:
    """Return text in Chinese when it is one of the Streamlit strings above, else unchanged
    (the same rules as the page's script, for tests)."""
    stripped = text.strip()
    for pattern, chinese in REPLACEMENTS:
        m = re.fullmatch(pattern, stripped)
        if m:
            return re.sub(r"\$(\d)", lambda g: m.group(int(g.group(1))) or "", chinese)
    return text


_SCRIPT = """<script>
(() => {
  const doc = window.parent ? window.parent.document : document;
  const rules = %s.map(([p, r]) => [new RegExp("^\\\\s*(?:" + p + ")\\\\s*$"), r]);
  const tr = (s) => {
    if (!s || !/[A-Za-z]/.test(s)) return null;
    for (const [re, r] of rules) {
      const m = s.match(re);
      if (m) return r.replace(/\\$(\\d)/g, (_, i) => m[+i] || "");
    }
    return null;
  };
  const fix = (root) => {
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const t = tr(n.nodeValue);
      if (t !== null) n.nodeValue = t;
    }
    const els = root.querySelectorAll ? root.querySelectorAll("[aria-label],[title],[placeholder]") : [];
    for (const el of [root, ...els]) {
      if (!el.getAttribute) continue;
      for (const a of ["aria-label", "title", "placeholder"]) {
        const t = tr(el.getAttribute(a));
        if (t !== null) el.setAttribute(a, t);
      }
    }
  };
  if (doc.zwqaLocalised) return;
  doc.zwqaLocalised = true;
  // 复制 buttons of ui.chat.render.copy_button_html: their text is JSON in data-text.
  doc.addEventListener("click", (e) => {
    const b = e.target.closest ? e.target.closest(".zwqa-copy") : null;
    if (!b) return;
    const view = doc.defaultView || window;
    view.navigator.clipboard.writeText(JSON.parse(b.dataset.text))
      .then(() => { b.textContent = "已复制"; }, () => { b.textContent = "复制失败"; });
  });
  doc.documentElement.lang = "zh-CN";
  fix(doc.body);
  new MutationObserver((changes) => {
    for (const c of changes) {
      if (c.type === "characterData") fix(c.target.parentNode || doc.body);
      else if (c.type === "attributes") fix(c.target);
      else c.addedNodes.forEach((n) => fix(n.nodeType === 3 ? n.parentNode : n));
    }
  }).observe(doc.body, {subtree: true, childList: true, characterData: true, attributes: true,
                        attributeFilter: ["aria-label", "title", "placeholder"]});
})();
</script>"""


def localise_script() -> str:
    """Return the script that puts Streamlit's own strings in the page into Chinese."""
    return _SCRIPT % json.dumps(REPLACEMENTS, ensure_ascii=False)
