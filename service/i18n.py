"""The one catalogue of user-facing text: message key -> {"zh": ..., "en": ...}; Chinese is the default.

Everyone adds keys here (add, never rename), except map labels: ``maps`` may not import ``service``,
so they live in ``maps.i18n`` and ``MESSAGES`` takes them in from there (a key in both is refused at
import). ``t(key, lang, **fields)`` formats any message, the map labels included;
``negotiate(query_lang, accept_language)`` picks ``zh`` or ``en`` for a request.
"""

from __future__ import annotations

from collections.abc import Mapping

from maps import i18n as _map_labels
from maps.i18n import DEFAULT_LANG, LANGS
from service import i18n_supervision as _supervision

_SERVICE_MESSAGES: dict[str, dict[str, str]] = {
    # --- API errors (service/api/errors.py) ---
    "error.not_found": {"zh": "未找到请求的资源", "en": "The requested resource was not found"},
    "error.not_found.detail": {"zh": "{what}不存在", "en": "{what} does not exist"},
    "error.validation": {"zh": "请求参数无效", "en": "The request is not valid"},
    "error.validation.detail": {
        "zh": "字段 {field} 不符合规则 {rule}",
        "en": "Field {field} breaks the rule {rule}",
    },
    "error.unauthorized": {"zh": "需要有效的 API 密钥", "en": "A valid API key is required"},
    "error.unauthorized.detail": {
        "zh": "请在 Authorization: Bearer 或 X-API-Key 请求头中提供有效的 API 密钥",
        "en": "Send a valid API key in the Authorization: Bearer or X-API-Key header",
    },
    "error.forbidden": {"zh": "权限不足", "en": "Not allowed"},
    "error.forbidden.detail": {
        "zh": "此操作需要 {role} 或更高角色",
        "en": "This needs the {role} role or higher",
    },
    # --- a route served to configured networks only (service/api/metrics.py) ---
    "error.network": {"zh": "此地址无权访问", "en": "Not served to this address"},
    "error.network.detail": {
        "zh": "仅向 {setting} 所列网络提供",
        "en": "Served only to the networks listed in {setting}",
    },
    # --- CSRF refusal of cookie writes (service/api/csrf.py) ---
    "error.csrf": {"zh": "请求来源无法验证", "en": "The request's origin could not be verified"},
    "error.csrf.detail": {
        "zh": "请从本站页面重新提交（缺少或不匹配的 CSRF 令牌，或来自其他站点：{rule}）",
        "en": "Submit again from this site's page (missing or wrong CSRF token, or another "
        "site: {rule})",
    },
    "error.conflict": {"zh": "与现有数据冲突", "en": "Conflicts with existing data"},
    "error.payload_too_large": {"zh": "上传内容过大", "en": "The upload is too large"},
    "error.payload_too_large.detail": {
        "zh": "请求体超过上限 {limit} 字节",
        "en": "The request body exceeds the limit of {limit} bytes",
    },
    "error.rate_limited": {"zh": "请求过于频繁", "en": "Too many requests"},
    "error.rate_limited.detail": {
        "zh": "请在 {retry_after} 秒后重试",
        "en": "Retry after {retry_after} seconds",
    },
    "error.upstream_unavailable": {
        "zh": "上游数据源不可用",
        "en": "An upstream source is unavailable",
    },
    "error.unsupported_media_type": {"zh": "不支持的内容类型", "en": "Unsupported media type"},
    "error.method_not_allowed": {"zh": "不支持的请求方法", "en": "Method not allowed"},
    "error.internal": {"zh": "服务器内部错误", "en": "Internal server error"},
    "error.internal.detail": {
        "zh": "服务暂时无法完成请求，已记录日志",
        "en": "The service could not complete the request; it has been logged",
    },
    # --- things named in errors ---
    "thing.station": {"zh": "监测站点", "en": "Station"},
    "thing.section": {"zh": "断面", "en": "Section"},
    "thing.zone": {"zh": "船舶污染区域", "en": "Zone"},
    "thing.layer": {"zh": "图层", "en": "Layer"},
    "thing.api_key": {"zh": "API 密钥", "en": "API key"},
    "thing.resource": {"zh": "资源", "en": "Resource"},
    "thing.district": {"zh": "区县", "en": "District"},
    # --- staff browser sign-in (service/api/routes/login.py) ---
    "staff.login.title": {"zh": "工作人员登录", "en": "Staff sign-in"},
    "staff.login.intro": {
        "zh": "请输入工作人员 API 密钥以打开工作人员地图。",
        "en": "Enter your staff API key to open the staff map.",
    },
    "staff.login.key": {"zh": "API 密钥", "en": "API key"},
    "staff.login.key_hint": {
        "zh": "密钥以 envmon_ 开头，由管理员发放；浏览器只保存登录凭证，不保存密钥。",
        "en": "Keys start with envmon_ and are issued by your administrator; the browser keeps a "
        "sign-in token, never the key.",
    },
    "staff.login.submit": {"zh": "登录", "en": "Sign in"},
    "staff.login.failed": {
        "zh": "密钥无效或已被吊销，请检查后重试。",
        "en": "The key is not valid or has been revoked. Check it and try again.",
    },
    "staff.login.cross_site": {
        "zh": "该登录请求来自其他网站，已拒绝。",
        "en": "This sign-in came from another site and was refused.",
    },
    "staff.login.language": {"zh": "语言", "en": "Language"},
    "staff.login.other_lang": {"zh": "English", "en": "中文"},
    "staff.session.label": {"zh": "登录状态", "en": "Sign-in"},
    "staff.session.signed_in": {
        "zh": "已登录：{name}（{role}）",
        "en": "Signed in: {name} ({role})",
    },
    "staff.session.logout": {"zh": "退出登录", "en": "Sign out"},
    "staff.role.viewer": {"zh": "查看者", "en": "viewer"},
    "staff.role.operator": {"zh": "操作员", "en": "operator"},
    "staff.role.admin": {"zh": "管理员", "en": "admin"},
    # --- service status ---
    "status.demo": {
        "zh": "演示模式：未配置上游数据源，数据来自模拟数据",
        "en": "Demo mode: no upstream is configured; the data are simulated",
    },
    "status.live": {"zh": "实时数据", "en": "Live data"},
    # --- alerts and webhooks (service/alerts) ---
    "alert.city": {"zh": "舟山市", "en": "Zhoushan"},
    "alert.status.firing": {"zh": "告警", "en": "FIRING"},
    "alert.status.resolved": {"zh": "已恢复", "en": "RESOLVED"},
    "alert.resolved_prefix": {"zh": "【已恢复】", "en": "[RESOLVED] "},
    "alert.title": {
        "zh": "【{status}】{district}：{rule}（{count} 条）",
        "en": "[{status}] {district}: {rule} ({count})",
    },
    "alert.more": {"zh": "另有 {count} 条未列出", "en": "{count} more not listed"},
    "alert.open": {"zh": "在 envmon 中查看", "en": "Open in envmon"},
    "alert.kind.station": {"zh": "监测站点", "en": "station"},
    "alert.kind.section": {"zh": "断面", "en": "section"},
    "alert.rule.excellent_good_ratio_below_target.title": {
        "zh": "优良天数比例低于目标",
        "en": "Excellent/good-day ratio below target",
    },
    "alert.rule.excellent_good_ratio_below_target.summary": {
        "zh": "{district}{year}年优良天数比例为 {value}（{numerator}/{denominator} 天），低于目标 {threshold}",
        "en": "{district}: the {year} excellent/good-day ratio is {value} ({numerator}/{denominator} days), below the {threshold} target",
    },
    "alert.rule.budget_exhausted.title": {
        "zh": "目标余量已用尽",
        "en": "Target budget used up",
    },
    "alert.rule.budget_exhausted.summary": {
        "zh": "{district}{year}年目标余量已用尽：还可容许的非优良天数为 {value} 天（目标 {target}）",
        "en": "{district}: the {year} target budget is used up: {value} more days that are not excellent/good can be absorbed (target {target})",
    },
    "alert.rule.projected_ratio_below_target.title": {
        "zh": "预计年末优良天数比例低于目标",
        "en": "Projected year-end ratio below target",
    },
    "alert.rule.projected_ratio_below_target.summary": {
        "zh": "{district}{year}年末优良天数比例预计为 {value}（区间 {low}–{high}），低于目标 {threshold}",
        "en": "{district}: the projected {year} year-end excellent/good-day ratio is {value} (interval {low}–{high}), below the {threshold} target",
    },
    "alert.rule.polluted_day.title": {
        "zh": "日 AQI 超过 100",
        "en": "Daily AQI above 100",
    },
    "alert.rule.polluted_day.summary": {
        "zh": "{district} {day} AQI 为 {value}（超过 {threshold}），首要污染物 {primary_pollutant}",
        "en": "{district}: AQI {value} on {day} (above {threshold}), primary pollutant {primary_pollutant}",
    },
    "alert.rule.section_worse_than_class_iii.title": {
        "zh": "断面水质劣于Ⅲ类",
        "en": "Section worse than Class III",
    },
    "alert.rule.section_worse_than_class_iii.summary": {
        "zh": "{district}{name}断面 {period} 水质为{water_class}类，劣于Ⅲ类（定类项目：{deciding_items}）",
        "en": "{district}: section {name} was Class {water_class} in {period}, worse than Class III (deciding items: {deciding_items})",
    },
    "alert.rule.class_iii_ratio_below_target.title": {
        "zh": "达到或优于Ⅲ类水质比例低于目标",
        "en": "Class I–III section ratio below target",
    },
    "alert.rule.class_iii_ratio_below_target.summary": {
        "zh": "{district}{year}年达到或优于Ⅲ类水质断面比例为 {value}（{numerator}/{denominator}），低于目标 {threshold}",
        "en": "{district}: the {year} ratio of sections at Class III or better is {value} ({numerator}/{denominator}), below the {threshold} target",
    },
    "alert.rule.sea_good_ratio_below_target.title": {
        "zh": "近岸海域优良（一、二类）水质比例低于目标",
        "en": "Nearshore seawater class I-II ratio below target",
    },
    "alert.rule.sea_good_ratio_below_target.summary": {
        "zh": "{district}{year}年近岸海域优良（一、二类）水质点位比例为 {value}（{numerator}/{denominator}），低于目标 {threshold}",
        "en": "{district}: the {year} share of seawater points at class I-II is {value} ({numerator}/{denominator}), below the {threshold} target",
    },
    "alert.rule.silent.title": {"zh": "长时间无数据", "en": "No data for too long"},
    "alert.rule.silent.summary": {
        "zh": "{district}{kind_name}{name}已 {value} 小时无数据（阈值 {threshold} 小时）",
        "en": "{district}: {kind_name} {name} has sent no data for {value} h (limit {threshold} h)",
    },
    # --- alerts on real cadences: own schedule, silence per cadence, new receivers (issue 18) ---
    "alert.kind.water_auto": {"zh": "水质自动站", "en": "automatic water station"},
    "alert.rule.silent.summary_monthly": {
        "zh": "{district}{kind_name}{name}自 {last_time} 采样后再无新的样品数据：{due_month} 的样品已逾期（宽限期至 {due_by}）",
        "en": "{district}: {kind_name} {name} has no sample since {last_time}: the {due_month} sample is overdue (the grace period ended {due_by})",
    },
    "alert.held.summary": {
        "zh": "{district}：{what}——当前值 {value} 已回到阈值 {threshold} 的达标一侧（公开数据显示已达标），但告警要到 {resolve_at} 才解除（回差带，避免在阈值附近反复告警）",
        "en": "{district}: {what} — the value {value} is back on the good side of the {threshold} threshold (the public figures show it met), but the alert resolves only at {resolve_at} (a hysteresis band, so that it does not flap around the threshold)",
    },
    "alert.rule.collector_degraded.title": {
        "zh": "数据采集降级",
        "en": "Collection degraded",
    },
    "alert.rule.collector_degraded.summary": {
        "zh": "采集任务 {collector} 最近一次运行降级：读取的数据大部分被隔离（{quarantined} 行隔离，{accepted} 行接收，隔离比例 {value}），请检查上游数据格式或断面名录",
        "en": "Collector {collector}: its latest run was degraded, most rows were quarantined ({quarantined} quarantined, {accepted} accepted, share {value}); check the upstream format or the section registry",
    },
    "alert.demo_prefix": {"zh": "【演示数据】", "en": "[DEMO DATA] "},
    "alert.reason_prefix.current": {
        "zh": "【订阅时已在告警】",
        "en": "[already firing when you subscribed] ",
    },
    "alert.status.test": {"zh": "测试", "en": "TEST"},
    "alert.rule.webhook_test.title": {"zh": "Webhook 测试消息", "en": "Webhook test message"},
    "alert.rule.webhook_test.summary": {
        "zh": "这是 envmon 发给订阅「{receiver}」的测试消息，用于检查接收端（签名、格式、网络），无需处理",
        "en": 'This is a test message from envmon to the subscription "{receiver}", to check the receiver (signature, format, network); no action needed',
    },
    "webhook.error.unsafe_url.detail": {
        "zh": "字段 url 被拒绝：{reason}",
        "en": "The url field is refused: {reason}",
    },
    "webhook.error.unsafe_url.scheme": {
        "zh": "只支持 https（开发环境可用 http）",
        "en": "the scheme must be https (or http in development)",
    },
    "webhook.error.unsafe_url.https": {
        "zh": "非开发环境必须使用 https（ENVMON_ENVIRONMENT=development 时才允许 http）",
        "en": "https is required outside development (http only with ENVMON_ENVIRONMENT=development)",
    },
    "webhook.error.unsafe_url.credentials": {
        "zh": "地址中不能包含用户名或密码",
        "en": "credentials in the URL are not allowed",
    },
    "webhook.error.unsafe_url.host": {
        "zh": "地址没有主机名，或端口无效",
        "en": "the URL has no host, or an invalid port",
    },
    "webhook.error.unsafe_url.resolve": {
        "zh": "主机名 {host} 无法解析",
        "en": "the host {host} does not resolve",
    },
    "webhook.error.unsafe_url.private": {
        "zh": "{host} 解析为回环或内网地址（{address}）；如确需推送到内网（封闭网络、测试），请设置 ENVMON_WEBHOOK_ALLOW_PRIVATE=true",
        "en": "{host} resolves to a loopback or private address ({address}); to send to private addresses (closed networks, tests) set ENVMON_WEBHOOK_ALLOW_PRIVATE=true",
    },
    "webhook.test.sent": {"zh": "测试消息已送达", "en": "The test message was delivered"},
    "webhook.test.failed": {"zh": "测试消息未送达", "en": "The test message was not delivered"},
    "webhook.thing.subscription": {"zh": "Webhook 订阅", "en": "Webhook subscription"},
    "webhook.thing.delivery": {"zh": "Webhook 投递", "en": "Webhook delivery"},
    "webhook.error.unsafe_url": {
        "zh": "Webhook 地址不安全",
        "en": "The webhook URL is not allowed",
    },
    # --- public station and district downloads (issue 14: service/figures/series_downloads.py) ---
    "download.col.station": {"zh": "站点代码", "en": "Station code"},
    "download.col.station_name": {"zh": "站点名称", "en": "Station name"},
    "download.col.district": {"zh": "区县代码", "en": "District code"},
    "download.col.time": {"zh": "时间（北京时间，时段末）", "en": "Time (CST, end of hour)"},
    "download.col.day": {"zh": "日期", "en": "Date"},
    "download.col.aqi": {"zh": "AQI", "en": "AQI"},
    "download.col.level": {"zh": "级别", "en": "Level"},
    "download.col.category": {"zh": "类别", "en": "Category"},
    "download.col.primary": {"zh": "首要污染物", "en": "Primary pollutant"},
    "download.col.valid": {"zh": "{name}有效", "en": "{name} valid"},
    "download.col.counts_in_ratio": {"zh": "计入优良天数比例", "en": "Counts in the ratio"},
    "download.col.standard": {"zh": "评价标准", "en": "Standard"},
    "download.col.stations": {"zh": "参与站点数", "en": "Stations"},
    "download.col.demo": {"zh": "演示数据", "en": "Demo data"},
    "download.yes": {"zh": "是", "en": "yes"},
    "download.no": {"zh": "否", "en": "no"},
    # --- reports (service/reports) ---
    "report.title.month": {
        "zh": "{name}{year}年{month}月环境质量月报",
        "en": "{name} environmental quality, {year}-{month:02d}",
    },
    "report.title.year": {
        "zh": "{name}{year}年环境质量年报",
        "en": "{name} environmental quality, {year}",
    },
    "report.running": {"zh": "（统计至{end}）", "en": " (data through {end})"},
    "report.section.air": {"zh": "环境空气质量", "en": "Ambient air quality"},
    "report.section.water": {"zh": "地表水水质", "en": "Surface water quality"},
    "report.section.completeness": {"zh": "数据完整性", "en": "Data completeness"},
    "report.section.chart": {
        "zh": "优良天数比例累计变化与目标余量",
        "en": "Course of the ratio against its target and budget",
    },
    "report.ratio_line": {
        "zh": "本期有效监测天数{valid}天，优良天数{good}天（其中优{excellent}天），优良天数比例为{percent}。",
        "en": "Of {valid} valid days, {good} were excellent or good ({excellent} excellent): "
        "ratio {percent}.",
    },
    "report.ytd_line": {
        "zh": "1月1日至{end}累计优良天数比例为{percent}（{good}/{valid}），目标{target}，{verdict}。",
        "en": "From 1 January to {end}: {percent} ({good}/{valid}) against a target of {target}: "
        "{verdict}.",
    },
    "report.verdict.meets": {"zh": "达到目标", "en": "meets the target"},
    "report.verdict.misses": {"zh": "未达到目标", "en": "below the target"},
    "report.verdict.undefined": {"zh": "无有效数据", "en": "no valid data"},
    "report.budget_line": {
        "zh": "按全年目标测算，余下{remaining}天中还可出现非优良天{budget}天"
        "（若其中{invalid}天无效：{budget_invalid}天）。",
        "en": "To meet the year's target, at most {budget} of the remaining {remaining} days may be "
        "non-excellent/good ({budget_invalid} if {invalid} of them are invalid).",
    },
    "report.budget_line_all_valid": {
        "zh": "按全年目标测算，余下{remaining}天中还可出现非优良天{budget}天。",
        "en": "To meet the year's target, at most {budget} of the remaining {remaining} days may be "
        "non-excellent/good.",
    },
    "report.budget_missed": {
        "zh": "全年目标已无法实现（超出{over}天）。",
        "en": "The year's target can no longer be met ({over} days too many).",
    },
    "report.exhausted_on": {
        "zh": "按当前速度，余量预计于{date}用尽。",
        "en": "At the current pace the budget runs out on {date}.",
    },
    "report.projection": {
        "zh": "预计年末优良天数比例为{value}（区间{low}至{high}，{method}）。",
        "en": "Projected year-end ratio {value} (interval {low} to {high}, {method}).",
    },
    "report.method.history": {
        "zh": "依据往年同期",
        "en": "from the same days of earlier years",
    },
    "report.method.wilson": {
        "zh": "依据本年至今，Wilson区间",
        "en": "from the year so far, Wilson interval",
    },
    "report.levels": {"zh": "空气质量级别天数", "en": "Days by AQI level"},
    "report.col.level": {"zh": "级别", "en": "Level"},
    "report.col.category": {"zh": "类别", "en": "Category"},
    "report.col.days": {"zh": "天数", "en": "Days"},
    "report.primary": {
        "zh": "非优良天首要污染物",
        "en": "Primary pollutant of non-excellent/good days",
    },
    "report.group.PM25": {"zh": "细颗粒物(PM2.5)", "en": "PM2.5"},
    "report.group.O3": {"zh": "臭氧(O3)", "en": "Ozone (O3)"},
    "report.group.other": {"zh": "其他", "en": "Other"},
    "report.water_line": {
        "zh": "本期评价省控及以上断面{evaluated}个，达到或优于Ⅲ类{good}个，比例为{percent}，"
        "目标{target}，{verdict}。",
        "en": "{evaluated} provincial sections evaluated, {good} at Class I-III: {percent} against a "
        "target of {target}: {verdict}.",
    },
    "report.water_budget": {
        "zh": "在保持目标的前提下，还可有{budget}个断面劣于Ⅲ类。",
        "en": "{budget} more section(s) may fall below Class III with the target still met.",
    },
    "report.col.section": {"zh": "断面", "en": "Section"},
    "report.col.class": {"zh": "水质类别", "en": "Class"},
    "report.col.deciding": {"zh": "定类项目", "en": "Deciding items"},
    "report.col.worse": {"zh": "超Ⅲ类项目", "en": "Items worse than III"},
    "report.not_sampled": {"zh": "未监测", "en": "not sampled"},
    "report.completeness_line": {
        "zh": "本期日历天数{calendar}天，有效监测天数{valid}天，未计入{left}天。",
        "en": "{calendar} calendar days, {valid} valid days, {left} left out.",
    },
    "report.left_out.no_data": {"zh": "无数据", "en": "no data"},
    "report.left_out.incomplete": {
        "zh": "污染物不全且AQI≤100",
        "en": "pollutant missing, AQI <= 100",
    },
    "report.left_out.no_valid_aqi": {"zh": "无有效AQI", "en": "no valid AQI"},
    "report.stations": {"zh": "参与统计站点", "en": "Contributing stations"},
    "report.standards": {"zh": "评价标准", "en": "Standard(s) applied"},
    "report.spans_change": {
        "zh": "本期跨越2026年3月1日：此前按HJ 633-2012评价，此后按HJ 633-2026评价。",
        "en": "This period spans 2026-03-01: earlier days are scored under HJ 633-2012, later ones "
        "under HJ 633-2026.",
    },
    "report.chart.ratio": {"zh": "累计优良天数比例", "en": "Cumulative ratio"},
    "report.chart.target": {"zh": "目标", "en": "Target"},
    "report.chart.budget": {"zh": "剩余余量（天）", "en": "Budget left (days)"},
    "report.comparison": {"zh": "目标比较方式：{mode}", "en": "Target comparison: {mode}"},
    "report.mode.full": {"zh": "全数值比较法", "en": "full value"},
    "report.mode.rounded": {"zh": "修约值比较法", "en": "rounded value"},
    "report.generated": {"zh": "生成时间", "en": "Generated"},
    "report.none": {"zh": "无", "en": "none"},
    # --- archival reports (service/reports: embedded font, CST, empty periods, demo, chart) ---
    "report.budget_missed_by": {
        "zh": "全年目标已落空：即使余下各天均为优良，仍差{over}天。",
        "en": "The year's target is already missed by {over} day(s), even if every remaining day "
        "is excellent or good.",
    },
    "report.budget_line_invalid_missed": {
        "zh": "按全年目标测算，余下{remaining}天中还可出现非优良天{budget}天"
        "（若其中{invalid}天无效，目标将落空{over}天）。",
        "en": "To meet the year's target, at most {budget} of the remaining {remaining} days may be "
        "non-excellent/good (if {invalid} of them are invalid, the target is missed by {over}).",
    },
    "report.water_missed_by": {
        "zh": "Ⅰ～Ⅲ类断面比例目标已落空：还差{over}个断面。",
        "en": "The Class I-III target is already missed by {over} section(s).",
    },
    "report.water_budget_none": {
        "zh": "目标余量为零：再有一个断面劣于Ⅲ类，目标即落空。",
        "en": "No room left: one more section below Class III misses the target.",
    },
    "report.empty_period": {
        "zh": "{start}至{end}期间无监测数据，本期不作评价。",
        "en": "No monitoring data from {start} to {end}; nothing to assess for this period.",
    },
    "report.air_empty": {
        "zh": "本期无有效空气质量监测天。",
        "en": "No valid air-quality day in this period.",
    },
    "report.water_empty": {
        "zh": "本期无已评价的断面。",
        "en": "No section was evaluated in this period.",
    },
    "report.demo_banner": {
        "zh": "演示数据 · 非真实监测结果，不得作为正式发布",
        "en": "DEMO DATA · not real measurements, not an official release",
    },
    "report.page": {"zh": "第{page}页", "en": "Page {page}"},
    "report.time_zone": {"zh": "北京时间", "en": "CST, UTC+8"},
    "report.chart.title": {
        "zh": "{year}年优良天数比例累计变化（截至{end}）",
        "en": "Cumulative excellent/good-day ratio, {year} (through {end})",
    },
    "report.chart.budget_title": {
        "zh": "目标余量：还可出现的非优良天数",
        "en": "Budget: non-excellent/good days still allowed",
    },
    "report.chart.axis_date": {"zh": "日期（{year}年）", "en": "Date ({year})"},
    "report.chart.axis_ratio": {"zh": "比例（%）", "en": "Ratio (%)"},
    "report.chart.axis_days": {"zh": "天", "en": "Days"},
    "report.chart.missed_by": {"zh": "已落空{over}天", "en": "missed by {over}"},
    "report.numbering": {
        "zh": "一,二,三,四,五,六,七,八,九,十",
        "en": "1,2,3,4,5,6,7,8,9,10",
    },
    # --- assessment statistics and PM2.5-O3 co-control (issue 15: service/figures/assessment.py,
    # service/reports/cocontrol.py, the staff map's co-control panel, exports) ---
    "assessment.heading": {
        "zh": "环境空气质量评价（HJ 663）与PM2.5—O3协同控制",
        "en": "Air quality assessment (HJ 663) and PM2.5-O3 co-control",
    },
    "assessment.stat.PM25": {"zh": "PM2.5 平均浓度（µg/m³）", "en": "PM2.5 mean (µg/m³)"},
    "assessment.stat.PM10": {"zh": "PM10 平均浓度（µg/m³）", "en": "PM10 mean (µg/m³)"},
    "assessment.stat.SO2": {"zh": "SO2 平均浓度（µg/m³）", "en": "SO2 mean (µg/m³)"},
    "assessment.stat.NO2": {"zh": "NO2 平均浓度（µg/m³）", "en": "NO2 mean (µg/m³)"},
    "assessment.stat.CO_24h_p95": {
        "zh": "CO 日均值第95百分位数（mg/m³）",
        "en": "CO 24-h mean, 95th percentile (mg/m³)",
    },
    "assessment.stat.O3_8h_p90": {
        "zh": "O3 日最大8小时平均第90百分位数（µg/m³）",
        "en": "O3 daily max 8-h mean, 90th percentile (µg/m³)",
    },
    "assessment.stat.composite_index": {"zh": "综合指数", "en": "Composite index"},
    "assessment.col.statistic": {"zh": "指标", "en": "Statistic"},
    "assessment.col.value": {"zh": "数值", "en": "Value"},
    "assessment.col.limit": {"zh": "二级限值", "en": "Grade-2 limit"},
    "assessment.col.meets": {"zh": "达标", "en": "Meets"},
    "assessment.col.days": {"zh": "有效天数/要求", "en": "Valid days / required"},
    "assessment.col.year_on_year": {"zh": "同比", "en": "Year on year"},
    "assessment.col.previous": {"zh": "环比", "en": "On previous"},
    "assessment.col.share": {"zh": "分指数（占比）", "en": "Sub-index (share)"},
    "assessment.col.month": {"zh": "月份", "en": "Month"},
    "assessment.col.valid": {"zh": "有效天数", "en": "Valid days"},
    "assessment.col.good": {"zh": "优良天数", "en": "Excellent/good days"},
    "assessment.col.lost_PM25": {"zh": "PM2.5超标", "en": "Lost to PM2.5"},
    "assessment.col.lost_O3": {"zh": "O3超标", "en": "Lost to O3"},
    "assessment.col.lost_PM25_O3": {"zh": "双超标", "en": "Lost to both"},
    "assessment.col.lost_other": {"zh": "其他", "en": "Other"},
    "assessment.yes": {"zh": "是", "en": "yes"},
    "assessment.no": {"zh": "否", "en": "no"},
    "assessment.insufficient": {"zh": "（数据不足）", "en": " (insufficient data)"},
    "assessment.ratio_line": {
        "zh": "优良天数比例 {ratio}；不计臭氧 {without}（臭氧单独超标的日子计为优良）",
        "en": "Excellent/good ratio {ratio}; without ozone {without} (days that ozone alone "
        "made non-good counted as good)",
    },
    "assessment.season_line": {
        "zh": "臭氧季（4—9月）：O3第90百分位数 {p90} µg/m³，O3超标 {exceed} 天，"
        "O3单独超标 {lost} 天，双超标 {both} 天",
        "en": "Ozone season (Apr-Sep): O3 90th percentile {p90} µg/m³, O3 exceedance days "
        "{exceed}, lost to O3 alone {lost}, to both {both}",
    },
    "assessment.limits_line": {
        "zh": "限值：{edition}；综合指数按 {composite} 二级限值计算",
        "en": "Limits: {edition}; composite index on the {composite} grade-2 limits",
    },
    "assessment.no_data": {"zh": "本期无有效日数据", "en": "No valid day in this period"},
    # --- the bureau's own data, demo markers on exports (issue 13: service/figures/demo_data.py) ---
    "export.demo.column": {"zh": "演示数据", "en": "demo data"},
    "export.demo.note_column": {"zh": "说明", "en": "note"},
    "export.demo.note": {
        "zh": "演示数据（模拟），非正式发布",
        "en": "demo data (simulated), not an official release",
    },
    # --- nearshore seawater (issue 17: service/figures/sea.py, service/reports/sea.py) ---
    "sea.heading": {
        "zh": "近岸海域水质（GB 3097-1997）",
        "en": "Nearshore seawater quality (GB 3097-1997)",
    },
    "sea.ratio_line": {
        "zh": "优良（一、二类）水质比例：按点位 {ratio}（{good}/{points} 个点位），按面积 {area}；"
        "目标 {target}，{verdict}。",
        "en": "Class I-II (excellent/good) ratio: {ratio} by points ({good} of {points} points), "
        "{area} by area; target {target}, {verdict}.",
    },
    "sea.budget_line": {
        "zh": "目标余量：还可有 {budget} 个优良点位降至二类以下。",
        "en": "Budget: {budget} more good point(s) may fall below class II.",
    },
    "sea.budget_missed": {
        "zh": "目标已落空：优良点位少 {over} 个。",
        "en": "Target missed: {over} good point(s) short.",
    },
    "sea.demo_line": {
        "zh": "示例点位与海域：位置为演示用合成数据，不是真实监测点位；样品为演示数据。",
        "en": "Demo points and areas: synthetic positions, not real monitoring points; "
        "the samples are demo data.",
    },
    "sea.col.point": {"zh": "点位", "en": "Point"},
    "sea.col.area": {"zh": "海湾/功能区", "en": "Bay / zone"},
    "sea.col.class": {"zh": "水质类别", "en": "Class"},
    "sea.col.target": {"zh": "目标", "en": "Target"},
    "sea.col.meets": {"zh": "达标", "en": "Meets"},
    "sea.col.deciding": {"zh": "定类项目", "en": "Deciding items"},
    "sea.col.ratio": {"zh": "优良比例（点位）", "en": "Class I-II (points)"},
    "sea.col.ratio_area": {"zh": "优良比例（面积）", "en": "Class I-II (area)"},
    "sea.yes": {"zh": "是", "en": "yes"},
    "sea.no": {"zh": "否", "en": "no"},
}


#: The staff console's words (service/api/console), kept in a catalogue of their own so that other
#: features' keys and these never touch the same lines; merged into ``MESSAGES``.
_CONSOLE_MESSAGES: dict[str, dict[str, str]] = {
    "console.quarantine.download": {
        "zh": "下载原文件（改正后在导入页重新上传）",
        "en": "Download the file as received (correct it, then upload it again on the imports page)",
    },
    "console.thing.file": {"zh": "文件", "en": "File"},
    "console.link": {"zh": "员工控制台", "en": "Staff console"},
    "console.demo": {
        "zh": "演示数据：本控制台的数字来自模拟数据，非正式发布",
        "en": "Demo data: the figures in this console are simulated, not an official release",
    },
    "console.imports.registry": {
        "zh": "站点、断面或海水点位名录（编码、名称、别名、坐标）",
        "en": "Station, section or seawater registry (codes, names, aliases, coordinates)",
    },
    "console.imports.registry_hint": {
        "zh": "CSV、XLSX 或 GeoJSON；作为新版本整体导入（有一行不合格则全部不导入），导入后重新计算受影响的数据。海水名录：GeoJSON 中的点为海水点位，面为海湾或功能区（须有水质目标）；CSV、XLSX 只含点位。",
        "en": "CSV, XLSX or GeoJSON; imported whole as a new version (one bad row and nothing is stored), then what it touched is recomputed. Seawater: in GeoJSON, points are monitoring points and polygons are bays or functional zones (each with a target class); CSV and XLSX hold points only.",
    },
    "console.imports.registry_kind": {"zh": "名录", "en": "Registry"},
    "console.imports.stations": {"zh": "空气站点", "en": "Air stations"},
    "console.imports.sections": {"zh": "水质断面", "en": "Water sections"},
    "console.imports.sea": {"zh": "海水点位与海湾", "en": "Seawater points and bays"},
    "console.imports.sea_points": {"zh": "海水点位", "en": "Seawater points"},
    "console.imports.sea_areas": {"zh": "海湾、功能区", "en": "Bays and zones"},
    "console.imports.datum": {"zh": "坐标系", "en": "Datum"},
    "console.imports.datum_hint": {
        "zh": "（文件无坐标系列时适用，如 WGS-84、GCJ-02、CGCS2000）",
        "en": "(for files without a datum column, e.g. WGS-84, GCJ-02, CGCS2000)",
    },
    "console.imports.registry_done": {
        "zh": "已导入为第 {version} 版",
        "en": "Imported as version {version}",
    },
    "console.imports.rows": {"zh": "行数", "en": "Rows"},
    "console.imports.added": {"zh": "新增", "en": "Added"},
    "console.imports.changed": {"zh": "修改", "en": "Changed"},
    "console.imports.added_codes": {"zh": "新增：{codes}", "en": "Added: {codes}"},
    "console.imports.changed_codes": {"zh": "修改：{codes}", "en": "Changed: {codes}"},
    "console.imports.versions": {"zh": "名录版本", "en": "Registry versions"},
    "console.imports.no_versions": {
        "zh": "尚未导入过名录；使用随软件提供的名录。",
        "en": "No registry imported yet; the shipped registry is in use.",
    },
    "console.webhooks.test": {"zh": "发送测试", "en": "Send test"},
    "console.webhooks.test_named": {
        "zh": "向 {name} 发送测试消息",
        "en": "Send a test message to {name}",
    },
    "console.webhooks.pause_named": {"zh": "暂停 {name}", "en": "Pause {name}"},
    "console.webhooks.resume_named": {"zh": "恢复 {name}", "en": "Resume {name}"},
    "console.imports.unusable": {
        "zh": "文件未导入：所有行均未被接受（不是可用的实验室结果文件？原因见下表）",
        "en": "Not imported: no row was accepted (not a usable lab file? the reasons are below)",
    },
    "console.health.degraded": {"zh": "大部分行被隔离", "en": "most rows quarantined"},
    "console.run.degraded": {"zh": "部分成功", "en": "degraded"},
    "console.severity.critical": {"zh": "严重", "en": "critical"},
    "console.severity.warning": {"zh": "警告", "en": "warning"},
    "console.severity.info": {"zh": "提示", "en": "info"},
    "console.title": {"zh": "envmon 员工控制台", "en": "envmon staff console"},
    "console.nav.label": {"zh": "控制台页面", "en": "Console pages"},
    "console.nav.reports": {"zh": "报告", "en": "Reports"},
    "console.nav.targets": {"zh": "目标", "en": "Targets"},
    "console.nav.imports": {"zh": "导入", "en": "Imports"},
    "console.nav.quarantine": {"zh": "隔离数据", "en": "Quarantine"},
    "console.nav.runs": {"zh": "采集运行", "en": "Collection"},
    "console.nav.webhooks": {"zh": "Webhook", "en": "Webhooks"},
    "console.nav.alerts": {"zh": "告警", "en": "Alerts"},
    "console.nav.keys": {"zh": "API 密钥", "en": "API keys"},
    "console.nav.map": {"zh": "员工地图", "en": "Staff map"},
    "console.home.title": {"zh": "概览", "en": "Overview"},
    "console.home.firing": {"zh": "{count} 条告警正在触发", "en": "{count} alert(s) firing"},
    "console.home.failing": {"zh": "{count} 个数据源异常", "en": "{count} source(s) not healthy"},
    "console.home.sources_ok": {"zh": "所有数据源运行正常", "en": "Every source is healthy"},
    "console.home.quarantined": {
        "zh": "{count} 行数据被隔离待查",
        "en": "{count} refused row(s) to review",
    },
    "console.home.reports": {
        "zh": "查看或下载月报、年报（PDF）",
        "en": "View monthly and yearly reports, download PDFs",
    },
    "console.home.targets": {
        "zh": "查看和修改年度目标及修改记录",
        "en": "View and change the year's targets, with the audit trail",
    },
    "console.home.imports": {
        "zh": "上传实验室结果文件、站点/断面/海水点位名录和船舶污染区域文件",
        "en": "Upload laboratory result files, station/section/sea point registries and zone files",
    },
    "console.home.webhooks": {
        "zh": "告警推送订阅与投递记录",
        "en": "Alert subscriptions and the delivery log",
    },
    "console.home.keys": {
        "zh": "创建和吊销员工 API 密钥",
        "en": "Create and revoke staff API keys",
    },
    "console.save": {"zh": "保存", "en": "Save"},
    "console.all": {"zh": "全部", "en": "All"},
    "console.more": {"zh": "更早的记录", "en": "Older rows"},
    "console.refused": {"zh": "未保存：{reason}", "en": "Not saved: {reason}"},
    "console.read_only": {
        "zh": "此页面的操作需要{role}或更高角色；当前密钥只能查看。",
        "en": "Changes here need the {role} role or higher; this key can only read.",
    },
    "console.col.actions": {"zh": "操作", "en": "Actions"},
    "console.col.alert": {"zh": "告警", "en": "Alert"},
    "console.col.attempts": {"zh": "尝试次数", "en": "Attempts"},
    "console.col.changed": {"zh": "最近修改", "en": "Last changed"},
    "console.col.created": {"zh": "创建时间", "en": "Created"},
    "console.col.district": {"zh": "区县", "en": "District"},
    "console.col.error": {"zh": "错误", "en": "Error"},
    "console.col.fetched": {"zh": "获取", "en": "Fetched"},
    "console.col.field": {"zh": "字段", "en": "Field"},
    "console.col.file": {"zh": "文件", "en": "File"},
    "console.col.format": {"zh": "格式", "en": "Format"},
    "console.col.indicator": {"zh": "指标", "en": "Indicator"},
    "console.col.inserted": {"zh": "新增", "en": "Inserted"},
    "console.col.key_id": {"zh": "密钥 ID", "en": "Key id"},
    "console.col.last_answer": {"zh": "最近应答", "en": "Last answer"},
    "console.col.last_used": {"zh": "最近使用", "en": "Last used"},
    "console.col.line": {"zh": "行号", "en": "Line"},
    "console.col.name": {"zh": "名称", "en": "Name"},
    "console.col.new": {"zh": "新值", "en": "New"},
    "console.col.old": {"zh": "原值", "en": "Old"},
    "console.col.quarantined": {"zh": "隔离", "en": "Quarantined"},
    "console.col.reason": {"zh": "原因", "en": "Reason"},
    "console.col.revised": {"zh": "修订", "en": "Revised"},
    "console.col.role": {"zh": "角色", "en": "Role"},
    "console.col.row": {"zh": "原始内容", "en": "Row as received"},
    "console.col.severity": {"zh": "级别", "en": "Severity"},
    "console.col.source": {"zh": "数据源", "en": "Source"},
    "console.col.started": {"zh": "开始时间", "en": "Started"},
    "console.col.state": {"zh": "状态", "en": "State"},
    "console.col.target": {"zh": "目标", "en": "Target"},
    "console.col.threshold": {"zh": "阈值", "en": "Threshold"},
    "console.col.trigger": {"zh": "触发方式", "en": "Trigger"},
    "console.col.unchanged": {"zh": "未变", "en": "Unchanged"},
    "console.col.value": {"zh": "数值", "en": "Value"},
    "console.col.when": {"zh": "时间", "en": "When"},
    "console.col.who": {"zh": "修改人", "en": "By"},
    "console.indicator.air": {"zh": "优良天数比例", "en": "Excellent/good-day ratio"},
    "console.indicator.water": {"zh": "Ⅰ～Ⅲ类断面比例", "en": "Class I-III section ratio"},
    "console.indicator.sea": {
        "zh": "近岸海域优良（一、二类）水质比例",
        "en": "Nearshore seawater class I-II ratio",
    },
    "console.reports.title": {"zh": "报告", "en": "Reports"},
    "console.reports.district": {"zh": "区县或全市", "en": "District or city"},
    "console.reports.period": {"zh": "月份或年份", "en": "Month or year"},
    "console.reports.period_hint": {"zh": "（如 2026-10 或 2026）", "en": "(e.g. 2026-10 or 2026)"},
    "console.reports.recent": {"zh": "最近", "en": "Recent"},
    "console.reports.language": {"zh": "语言", "en": "Language"},
    "console.reports.view": {"zh": "查看报告", "en": "View report"},
    "console.reports.pdf": {"zh": "下载 PDF", "en": "Download PDF"},
    "console.reports.note": {
        "zh": "PDF 内嵌思源黑体（Noto Sans SC）字体，可在任何电脑上显示和归档；时间均为北京时间。",
        "en": "PDFs embed their font (Noto Sans SC), so they show the same on any computer and can be archived; times are China Standard Time.",
    },
    "console.reports.refused": {
        "zh": "无法生成报告：{reason}",
        "en": "The report cannot be made: {reason}",
    },
    "console.reports.back": {"zh": "返回报告页", "en": "Back to reports"},
    "console.targets.title": {"zh": "{year}年目标", "en": "Targets for {year}"},
    "console.targets.years": {"zh": "年份", "en": "Years"},
    "console.targets.current": {"zh": "当前目标", "en": "Targets in force"},
    "console.targets.change": {"zh": "修改", "en": "Change"},
    "console.targets.default": {"zh": "默认值", "en": "default"},
    "console.targets.new_value": {"zh": "新目标（%）", "en": "New target (%)"},
    "console.targets.new_value_for": {
        "zh": "{district}{indicator}新目标（%）",
        "en": "New {indicator} target for {district} (%)",
    },
    "console.targets.reason": {"zh": "修改原因", "en": "Reason"},
    "console.targets.reason_for": {
        "zh": "{district}{indicator}修改原因",
        "en": "Reason for changing the {indicator} target of {district}",
    },
    "console.targets.audit": {"zh": "修改记录", "en": "Audit trail"},
    "console.targets.no_changes": {
        "zh": "{year}年的目标尚未修改过。",
        "en": "No target of {year} has been changed.",
    },
    "console.targets.saved": {
        "zh": "已保存：{district}{year}年{indicator}目标。",
        "en": "Saved: the {year} {indicator} target of {district}.",
    },
    "console.targets.bad_value": {
        "zh": "目标须为 0 至 100 之间的数字（百分比）。",
        "en": "The target must be a number from 0 to 100 (percent).",
    },
    "console.targets.reason_required": {
        "zh": "请填写修改原因。",
        "en": "Give the reason for the change.",
    },
    "console.targets.refused": {
        "zh": "未保存：字段 {field} 不符合规则 {rule}。",
        "en": "Not saved: field {field} breaks the rule {rule}.",
    },
    "console.imports.title": {"zh": "导入", "en": "Imports"},
    "console.imports.lab": {
        "zh": "实验室结果文件（地表水手工监测）",
        "en": "Laboratory result file (manual water monitoring)",
    },
    "console.imports.lab_hint": {
        "zh": "CSV 或 XLSX，每行一个断面和采样日期；同一文件重复上传不会重复导入。",
        "en": "CSV or XLSX, one row per section and sampling date; uploading the same file again imports nothing twice.",
    },
    "console.imports.zones": {"zh": "船舶污染区域文件", "en": "Zone file"},
    "console.imports.zones_hint": {
        "zh": "GeoJSON、CSV、KML、GeoPackage 或压缩的 Shapefile；导入后成为新版本。",
        "en": "GeoJSON, CSV, KML, GeoPackage or a zipped Shapefile; imported as a new version.",
    },
    "console.imports.file": {"zh": "文件", "en": "File"},
    "console.imports.upload": {"zh": "上传并导入", "en": "Upload and import"},
    "console.imports.result": {"zh": "导入结果：{name}", "en": "Import result: {name}"},
    "console.imports.state": {"zh": "结果", "en": "Result"},
    "console.imports.done": {"zh": "已导入", "en": "Imported"},
    "console.imports.skipped": {
        "zh": "此文件此前已导入，未作改动",
        "en": "This file was imported before; nothing changed",
    },
    "console.imports.refused": {"zh": "文件未导入", "en": "The file was not imported"},
    "console.imports.refused_rows": {
        "zh": "未接受的行及原因",
        "en": "Rows not accepted, with the reason",
    },
    "console.imports.bad_suffix": {
        "zh": "文件类型不受支持（允许：{allowed}）",
        "en": "Unsupported file type (allowed: {allowed})",
    },
    "console.imports.too_large": {
        "zh": "文件超过 {limit} MB 上限",
        "en": "The file exceeds the {limit} MB limit",
    },
    "console.quarantine.title": {"zh": "隔离数据", "en": "Quarantine"},
    "console.quarantine.fix": {
        "zh": "修正方法：在原文件中改正这些行，再通过导入页重新上传。",
        "en": "To fix: correct these rows in the original file and upload it again on the imports page:",
    },
    "console.quarantine.sources": {"zh": "按数据源", "en": "By source"},
    "console.quarantine.of_payload": {
        "zh": "文件 #{payload} 中未接受的行",
        "en": "Rows not accepted from file #{payload}",
    },
    "console.quarantine.none": {"zh": "没有被隔离的数据。", "en": "No refused rows."},
    "console.runs.title": {"zh": "采集运行与数据源状态", "en": "Collection runs and source health"},
    "console.runs.health": {"zh": "数据源状态", "en": "Source health"},
    "console.runs.last_ok": {"zh": "最近成功", "en": "Last success"},
    "console.runs.last_failed": {"zh": "最近失败", "en": "Last failure"},
    "console.runs.failed_24h": {"zh": "24 小时失败/运行", "en": "Failed / runs in 24 h"},
    "console.runs.last_error": {"zh": "最近错误", "en": "Latest error"},
    "console.runs.recent": {"zh": "最近运行", "en": "Latest runs"},
    "console.runs.none": {"zh": "尚无采集运行记录。", "en": "No collection run yet."},
    "console.health.ok": {"zh": "正常", "en": "healthy"},
    "console.health.failing": {"zh": "失败", "en": "failing"},
    "console.health.stale": {"zh": "24 小时无成功", "en": "no success in 24 h"},
    "console.run.ok": {"zh": "成功", "en": "ok"},
    "console.run.failed": {"zh": "失败", "en": "failed"},
    "console.run.running": {"zh": "运行中", "en": "running"},
    "console.webhooks.title": {"zh": "Webhook 推送", "en": "Webhooks"},
    "console.webhooks.subscriptions": {"zh": "订阅", "en": "Subscriptions"},
    "console.webhooks.subscription": {"zh": "订阅", "en": "Subscription"},
    "console.webhooks.no_subscriptions": {"zh": "尚无订阅。", "en": "No subscription yet."},
    "console.webhooks.enabled": {"zh": "启用", "en": "active"},
    "console.webhooks.paused": {"zh": "已暂停", "en": "paused"},
    "console.webhooks.pause": {"zh": "暂停", "en": "Pause"},
    "console.webhooks.resume": {"zh": "恢复", "en": "Resume"},
    "console.webhooks.create": {"zh": "新建订阅", "en": "New subscription"},
    "console.webhooks.create_button": {"zh": "创建订阅", "en": "Create subscription"},
    "console.webhooks.url_hint": {
        "zh": "（生产环境须为 https，且不得指向内网地址）",
        "en": "(https in production, never a private address)",
    },
    "console.webhooks.secret_once": {
        "zh": "订阅“{name}”已创建。签名密钥只显示这一次，请立即保存：",
        "en": "Subscription “{name}” created. Its signing secret is shown this once; store it now:",
    },
    "console.webhooks.deliveries": {"zh": "投递记录", "en": "Delivery log"},
    "console.webhooks.no_deliveries": {"zh": "尚无投递。", "en": "Nothing delivered yet."},
    "console.webhooks.replay": {"zh": "重新发送", "en": "Send again"},
    "console.webhooks.replayed": {
        "zh": "消息 {id} 已重新排队发送。",
        "en": "Message {id} is queued to be sent again.",
    },
    "console.delivery.pending": {"zh": "待发送", "en": "pending"},
    "console.delivery.delivered": {"zh": "已送达", "en": "delivered"},
    "console.delivery.failed": {"zh": "失败", "en": "failed"},
    "console.delivery.cancelled": {"zh": "已取消", "en": "cancelled"},
    "console.alerts.title": {"zh": "告警", "en": "Alerts"},
    "console.alerts.firing": {"zh": "正在触发（{count}）", "en": "Firing ({count})"},
    "console.alerts.resolved": {"zh": "已恢复（{count}）", "en": "Resolved ({count})"},
    "console.alerts.none_firing": {"zh": "当前没有正在触发的告警。", "en": "No alert is firing."},
    "console.alerts.none_resolved": {"zh": "没有已恢复的告警。", "en": "No resolved alert."},
    "console.alerts.started": {"zh": "开始", "en": "Started"},
    "console.alerts.ended": {"zh": "结束", "en": "Ended"},
    "console.alerts.history": {"zh": "推送记录", "en": "Messages sent"},
    "console.alerts.messages": {"zh": "{count} 条消息", "en": "{count} message(s)"},
    "console.alerts.no_messages": {"zh": "未推送", "en": "none sent"},
    "console.keys.title": {"zh": "API 密钥", "en": "API keys"},
    "console.keys.active": {"zh": "有效", "en": "active"},
    "console.keys.revoked": {"zh": "已吊销", "en": "revoked"},
    "console.keys.revoke": {"zh": "吊销", "en": "Revoke"},
    "console.keys.revoke_named": {"zh": "吊销密钥 {name}", "en": "Revoke key {name}"},
    "console.keys.create": {"zh": "新建密钥", "en": "New key"},
    "console.keys.create_button": {"zh": "创建密钥", "en": "Create key"},
    "console.keys.shown_once": {
        "zh": "已为“{name}”创建{role}密钥。密钥只显示这一次，请立即交给使用者：",
        "en": "A {role} key for “{name}” was created. It is shown this once; hand it over now:",
    },
    "console.keys.not_revoked": {
        "zh": "未吊销：密钥 {key_id} 不存在、已吊销，或是当前登录所用的密钥。",
        "en": "Not revoked: key {key_id} does not exist, is already revoked, or is the key signed in now.",
    },
}


def _merged(*catalogues: Mapping[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """One catalogue from several; a key defined twice is a bug (one would silently hide the other)."""
    out: dict[str, dict[str, str]] = {}
    for catalogue in catalogues:
        clash = out.keys() & catalogue.keys()
        if clash:
            raise ValueError(f"message keys defined twice: {', '.join(sorted(clash))}")
        out.update(catalogue)
    return out


#: Every message: the service's own and the map labels.
MESSAGES: dict[str, dict[str, str]] = _merged(
    _SERVICE_MESSAGES, _CONSOLE_MESSAGES, _map_labels.MESSAGES, _supervision.MESSAGES
)


def _primary(tag: str) -> str:
    """The primary subtag of a language tag, lower case: ``zh_Hans-CN`` -> ``zh``."""
    return tag.strip().lower().replace("_", "-").split("-", 1)[0]


def normalise_lang(lang: str | None) -> str:
    """``zh`` or ``en`` for a language tag such as ``en-GB`` or ``zh-Hans-CN``; else the default."""
    if not lang:
        return DEFAULT_LANG
    primary = _primary(lang)
    return primary if primary in LANGS else DEFAULT_LANG


def negotiate(query_lang: str | None, accept_language: str | None) -> str:
    """The language for a request: ``?lang=`` wins, then the best ``Accept-Language`` entry."""
    if query_lang:
        primary = _primary(query_lang)
        if primary in LANGS:
            return primary
    if accept_language:
        ranked: list[tuple[float, int, str]] = []
        for index, part in enumerate(accept_language.split(",")):
            tag, _, params = part.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            primary = tag.strip().lower().split("-", 1)[0]
            if primary in LANGS and quality > 0:
                ranked.append((-quality, index, primary))
        if ranked:
            return min(ranked)[2]
    return DEFAULT_LANG


def t(key: str, lang: str | None = None, **fields: object) -> str:
    """The message ``key`` in ``lang`` (default Chinese), formatted with ``fields``.

    An unknown key returns the key itself so that a missing entry shows, rather than breaks a page.
    """
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(normalise_lang(lang)) or entry[DEFAULT_LANG]
    return text.format(**fields) if fields else text


__all__ = ["DEFAULT_LANG", "LANGS", "MESSAGES", "negotiate", "normalise_lang", "t"]
