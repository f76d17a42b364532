//! The frame every page shares: head, style, escaping.

use std::fmt::Write as _;
use std::time::Duration;

use super::super::bar::LEGEND;

/// Escapes `text` for HTML text and attribute values (`&`, `<`, `>`, `"`, `'`).
///
/// # Examples
/// ```
/// use runner_monitor::host::status::html::escape;
/// assert_eq!(escape("<b>\"a\" & 'b'</b>"), "&lt;b&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/b&gt;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole document: `title` (escaped here), `body` (already HTML), reloading every `refresh`.
pub fn document(title: &str, refresh: Option<Duration>, body: &str) -> String {
    let refresh = refresh
        .map(|r| {
            format!(
                "<meta http-equiv=\"refresh\" content=\"{}\">",
                r.as_secs().max(1)
            )
        })
        .unwrap_or_default();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{refresh}\
         <title>{title}</title><style>{STYLE}</style></head><body>{body}</body></html>\n",
        title = escape(title),
    )
}

/// The colour legend of the uptime bar.
pub fn legend() -> String {
    let mut out = String::from("<ul class=\"legend\" aria-label=\"legend\">");
    for (class, label) in LEGEND {
        let _ = write!(
            out,
            "<li><svg viewBox=\"0 0 10 10\" width=\"10\" height=\"10\"><rect class=\"{class}\" \
             width=\"10\" height=\"10\" rx=\"2\"/></svg>{label}</li>"
        );
    }
    out.push_str("</ul>");
    out
}

const STYLE: &str = r#"
:root{--bg:#f6f8fa;--card:#fff;--line:#d0d7de;--text:#1f2328;--muted:#59636e;--up:#2da44e;
--minor:#d4a72c;--major:#e16f24;--severe:#cf222e;--open:#a40e26;--nodata:#e4e8ec;--link:#0969da}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);
font:15px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:16px}
a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
header.top{display:flex;flex-wrap:wrap;align-items:baseline;gap:8px 16px;margin:8px 0 12px}
h1{font-size:24px;margin:0}h2{font-size:17px;margin:0 0 10px}
.meta{color:var(--muted);font-size:13px}
.pills{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 14px;padding:0;list-style:none}
.pill{border:1px solid var(--line);background:var(--card);border-radius:999px;padding:2px 10px;font-size:13px}
.pill b{font-variant-numeric:tabular-nums}
.pill.bad{border-color:var(--severe);color:var(--severe);background:#ffebe9}
.pill.good{border-color:var(--up);color:#1a7f37;background:#dafbe1}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:0 0 14px}
section.alert{border-color:var(--severe);background:#fff5f5}
section.alert h2{color:var(--severe)}
section.calm{border-color:var(--up);background:#f3fcf5;color:#1a7f37}
section.calm h2{margin:0;color:#1a7f37}
ul.outages{list-style:none;margin:0;padding:0}
ul.outages li{padding:6px 0;border-top:1px solid #f2d6d6}ul.outages li:first-child{border-top:0}
.scope-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 12px;margin-bottom:6px}
.scope-head h2{margin:0}.scope-head .meta b{color:var(--text)}
.runner{display:grid;grid-template-columns:minmax(170px,1fr) 160px 302px 190px;gap:4px 14px;
align-items:center;padding:7px 6px;border-top:1px solid #eaeef2}
.runner.down{background:#fff1f0;border-left:4px solid var(--severe);padding-left:8px}
.name{font-weight:600;overflow-wrap:anywhere}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:7px;background:var(--up);vertical-align:1px}
.down .dot,.dot.down{background:var(--severe)}
.dot.warn{background:var(--major)}.dot.unknown{background:var(--nodata)}
ul.pool-list{list-style:none;margin:0;padding:0}ul.pool-list li{padding:5px 0}
li.pool small{color:var(--muted)}
.labels{display:inline;font-weight:400;margin-left:6px}
.label{display:inline-block;font-size:11.5px;color:var(--muted);border:1px solid var(--line);border-radius:999px;padding:0 7px;margin:2px 4px 0 0}
.state{font-size:13.5px}.state .st{font-weight:600}.down .state .st{color:var(--severe)}
.state small{display:block;color:var(--muted)}
svg.bar{display:block;width:100%;height:26px}
rect.up{fill:var(--up)}rect.minor{fill:var(--minor)}rect.major{fill:var(--major)}
rect.severe{fill:var(--severe)}rect.open{fill:var(--open)}rect.nodata{fill:var(--nodata)}
svg.bar rect:hover{opacity:.7}
.bar-foot{display:flex;justify-content:space-between;color:var(--muted);font-size:11px}
.pct{display:flex;gap:10px;font-size:13px;font-variant-numeric:tabular-nums;justify-content:flex-end}
.pct span{display:flex;flex-direction:column;align-items:flex-end}
.pct small{color:var(--muted);font-size:11px}
ul.legend{display:flex;flex-wrap:wrap;gap:4px 14px;list-style:none;margin:0 0 12px;padding:0;font-size:12px;color:var(--muted)}
ul.legend svg{margin-right:5px;vertical-align:-1px}
details{margin-top:10px;font-size:13.5px}summary{cursor:pointer;color:var(--muted)}
table{border-collapse:collapse;width:100%;margin-top:6px;font-size:13.5px}
th,td{text-align:left;padding:5px 8px;border-top:1px solid #eaeef2;vertical-align:top}
th{color:var(--muted);font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.error{color:var(--severe)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
footer{color:var(--muted);font-size:12px;text-align:center;margin:18px 0}
@media (max-width:860px){
.labels{display:block;margin:2px 0 0}
.runner{grid-template-columns:1fr auto}
.runner .barbox{grid-column:1/-1}
.runner .pct{grid-column:1/-1;justify-content:flex-start}
.runner .state{text-align:right}
}
"#;
