"""The one catalogue of map labels, Chinese (default) and English.

``maps`` may not import ``service``, so the map labels live here; the service's own catalogue can
import and extend ``MESSAGES``. Unknown languages fall back to Chinese; a missing key is a bug
(``KeyError``), caught by the unit tests, never shown as a raw key.
"""

from __future__ import annotations

from typing import Final

LANGS: Final = ("zh", "en")
DEFAULT_LANG: Final = "zh"

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "title.staff": {
        "zh": "舟山市生态环境质量监测（内部）",
        "en": "Zhoushan environmental quality (staff)",
    },
    "title.public": {"zh": "舟山市环境质量地图", "en": "Zhoushan environmental quality map"},
    "layer.eg_ratio": {"zh": "优良天数比例（区县）", "en": "Excellent/good-day ratio (districts)"},
    "layer.class_iii": {
        "zh": "Ⅰ-Ⅲ类水质断面比例（区县）",
        "en": "Class I-III section ratio (districts)",
    },
    "layer.stations": {"zh": "空气监测站点（最新AQI）", "en": "Air stations (latest AQI)"},
    "layer.daily_aqi": {"zh": "日AQI（时间滑块）", "en": "Daily AQI (time slider)"},
    "layer.sections": {"zh": "地表水断面（水质类别）", "en": "Water sections (class)"},
    "layer.zones": {"zh": "港区船舶污染相关区域", "en": "Harbour ship-pollution zones"},
    "layer.sea": {
        "zh": "近岸海域水质（点位类别、海湾优良比例）",
        "en": "Nearshore seawater (point class, bay ratio)",
    },
    "legend.sea_class": {"zh": "海水水质类别（GB 3097）", "en": "Seawater class (GB 3097)"},
    "legend.sea_ratio": {
        "zh": "海湾优良（一、二类）水质比例",
        "en": "Bay class I-II ratio",
    },
    "layer.surface": {"zh": "插值面", "en": "Interpolated surface"},
    "layer.base_offline": {
        "zh": "离线底图（行政区与海岸线）",
        "en": "Offline base (districts and coast)",
    },
    "legend.aqi": {"zh": "空气质量指数（HJ 633）", "en": "Air quality index (HJ 633)"},
    "legend.water": {"zh": "水质类别（GB 3838）", "en": "Water class (GB 3838)"},
    "legend.target": {"zh": "对照目标", "en": "Against target"},
    "legend.zones": {"zh": "区域类型", "en": "Zone kind"},
    "legend.no_data": {"zh": "无数据", "en": "No data"},
    "legend.highlight": {
        "zh": "距区域 {km} km 以内的站点",
        "en": "Station within {km} km of a zone",
    },
    "status.meets": {"zh": "达到目标", "en": "Meets target"},
    "status.near": {"zh": "低于目标1个百分点以内", "en": "Within one point of target"},
    "status.below": {"zh": "未达目标", "en": "Below target"},
    "zone.anchorage": {"zh": "锚地", "en": "Anchorage"},
    "zone.port_area": {"zh": "港区", "en": "Port area"},
    "zone.ship_repair_yard": {"zh": "修造船厂", "en": "Ship-repair yard"},
    "zone.emission_control_area": {"zh": "船舶排放控制区", "en": "Emission-control area"},
    "zone.route": {"zh": "推荐航路", "en": "Route"},
    "zone.bunkering": {"zh": "加油（供油）作业点", "en": "Bunkering"},
    "zone.other": {"zh": "其他", "en": "Other"},
    "field.ratio": {"zh": "比例", "en": "Ratio"},
    "field.target": {"zh": "目标", "en": "Target"},
    "field.eg_ratio": {"zh": "优良天数比例", "en": "Excellent/good-day ratio"},
    "field.class_iii": {"zh": "Ⅰ-Ⅲ类断面比例", "en": "Class I-III ratio"},
    "field.aqi": {"zh": "AQI", "en": "AQI"},
    "field.level": {"zh": "级别", "en": "Level"},
    "field.primary": {"zh": "首要污染物", "en": "Primary pollutant"},
    "field.data_time": {"zh": "数据时间", "en": "Data time"},
    "field.concentrations": {"zh": "最新浓度", "en": "Latest concentrations"},
    "field.chart": {"zh": "近30天日AQI", "en": "Daily AQI, last 30 days"},
    "field.class": {"zh": "水质类别", "en": "Water class"},
    "field.sea_class": {"zh": "海水水质类别", "en": "Seawater class"},
    "field.sea_target": {"zh": "功能区目标", "en": "Zone target"},
    "field.meets_target": {"zh": "是否达标", "en": "Meets target"},
    "field.yes": {"zh": "达标", "en": "yes"},
    "field.no": {"zh": "未达标", "en": "no"},
    "field.deciding": {"zh": "定类项目", "en": "Deciding items"},
    "field.sea_ratio": {"zh": "优良（一、二类）比例（按点位）", "en": "Class I-II ratio (points)"},
    "field.sea_ratio_area": {"zh": "优良比例（按面积）", "en": "Class I-II ratio (area)"},
    "field.period": {"zh": "评价时段", "en": "Period"},
    "field.samples": {"zh": "样品数", "en": "Samples"},
    "field.demo_point": {
        "zh": "示例点位：位置为演示用合成数据，不是真实监测点位",
        "en": "Demo point: synthetic position, not a real monitoring point",
    },
    "field.demo_area": {
        "zh": "示例海域：范围为演示用合成数据，不是真实海湾",
        "en": "Demo area: synthetic outline, not a real bay",
    },
    "field.district": {"zh": "区县", "en": "District"},
    "field.kind": {"zh": "类型", "en": "Kind"},
    "field.source": {"zh": "来源", "en": "Source"},
    "field.datum": {"zh": "坐标系", "en": "Datum"},
    "field.imported": {"zh": "导入日期", "en": "Imported"},
    "field.notice_date": {"zh": "公告日期", "en": "Notice date"},
    "field.near_zone": {"zh": "邻近区域", "en": "Near zone"},
    "field.unplaced": {
        "zh": "未公布坐标的断面（不在图上标注）",
        "en": "Sections without published coordinates (not drawn)",
    },
    "field.none": {"zh": "无", "en": "none"},
    "field.date": {"zh": "日期", "en": "Date"},
    "field.corridor": {
        "zh": "航路两侧各 {m} m（由轴线推算）",
        "en": "{m} m either side (derived from axis)",
    },
    "demo": {"zh": "示例站点（演示数据）", "en": "Demo station (demo data)"},
    "demo.short": {"zh": "示例", "en": "demo"},
    "notice.stale": {
        "zh": "数据已过时：最新数据时间 {time}",
        "en": "Data are stale: latest data time {time}",
    },
    "notice.demo_feed": {"zh": "演示数据，非正式发布", "en": "Demo data, not an official release"},
    "notice.loading_failed": {"zh": "图层加载失败", "en": "Layer failed to load"},
    "control.play": {"zh": "播放", "en": "Play"},
    "control.fullscreen": {"zh": "全屏", "en": "Full screen"},
    "control.exit_fullscreen": {"zh": "退出全屏", "en": "Exit full screen"},
    "unit.ug": {"zh": "µg/m³", "en": "µg/m³"},
    "unit.mg": {"zh": "mg/m³", "en": "mg/m³"},
    # --- public station history and pollutant names as the public knows them (issue 14) ---
    # Hourly keys: 1-h means and the moving means a feed may report.
    "pollutant.SO2_1h": {"zh": "SO₂", "en": "SO₂"},
    "pollutant.NO2_1h": {"zh": "NO₂", "en": "NO₂"},
    "pollutant.PM10_1h": {"zh": "PM10", "en": "PM10"},
    "pollutant.PM25_1h": {"zh": "PM2.5", "en": "PM2.5"},
    "pollutant.CO_1h": {"zh": "CO", "en": "CO"},
    "pollutant.O3_1h": {"zh": "O₃", "en": "O₃"},
    "pollutant.O3_8h": {"zh": "O₃-8h", "en": "O₃-8h"},
    "pollutant.PM10_24h": {"zh": "PM10-24h", "en": "PM10-24h"},
    "pollutant.PM25_24h": {"zh": "PM2.5-24h", "en": "PM2.5-24h"},
    "pollutant.SO2_24h": {"zh": "SO₂-24h", "en": "SO₂-24h"},
    # Daily keys (日报): the day's means, O3 as daily max 8-h and max 1-h.
    "pollutant.day.SO2_24h": {"zh": "SO₂", "en": "SO₂"},
    "pollutant.day.NO2_24h": {"zh": "NO₂", "en": "NO₂"},
    "pollutant.day.PM10_24h": {"zh": "PM10", "en": "PM10"},
    "pollutant.day.PM25_24h": {"zh": "PM2.5", "en": "PM2.5"},
    "pollutant.day.CO_24h": {"zh": "CO", "en": "CO"},
    "pollutant.day.O3_8h": {"zh": "O₃-8h", "en": "O₃-8h"},
    "pollutant.day.O3_1h": {"zh": "O₃-1h", "en": "O₃-1h"},
    "chart.hours": {"zh": "近24小时AQI", "en": "AQI, last 24 hours"},
    "chart.days": {"zh": "近30天日AQI", "en": "Daily AQI, last 30 days"},
    "chart.calendar": {"zh": "{year}年日AQI日历", "en": "Daily AQI calendar, {year}"},
    "chart.no_data": {"zh": "暂无数据", "en": "No data yet"},
    "field.health_effects": {"zh": "对健康影响情况", "en": "Health effects"},
    "field.health_measures": {"zh": "建议采取的措施", "en": "Recommended measures"},
    "field.download": {"zh": "下载数据", "en": "Download data"},
    "field.hourly": {"zh": "逐时数据", "en": "Hourly data"},
    "field.daily": {"zh": "逐日数据", "en": "Daily data"},
    "field.history": {"zh": "历史数据", "en": "History"},
    "control.legend": {"zh": "图例", "en": "Legend"},
    # PM2.5-O3 co-control panel of the staff map (issue 15: maps/cocontrol.py)
    "cocontrol.title": {"zh": "PM2.5—O3 协同控制", "en": "PM2.5-O3 co-control"},
    "cocontrol.period": {"zh": "{label}（至 {end}）", "en": "{label} (to {end})"},
    "cocontrol.area": {"zh": "区域", "en": "Area"},
    "cocontrol.pm25": {"zh": "PM2.5 均值", "en": "PM2.5 mean"},
    "cocontrol.yoy": {"zh": "同比", "en": "vs last year"},
    "cocontrol.o3_p90": {"zh": "O₃-8h 第90百分位", "en": "O₃-8h 90th pct"},
    "cocontrol.composite": {"zh": "综合指数", "en": "Composite index"},
    "cocontrol.ratio": {"zh": "优良率", "en": "Good-day ratio"},
    "cocontrol.ratio_without_o3": {"zh": "不计臭氧", "en": "Without O₃"},
    "cocontrol.lost": {"zh": "损失天数 PM2.5/O₃/双超", "en": "Days lost PM2.5/O₃/both"},
    "cocontrol.insufficient": {"zh": "* 数据不足", "en": "* insufficient data"},
    "cocontrol.units": {
        "zh": "浓度 µg/m³；不计臭氧：仅因臭氧超标的日子计为优良",
        "en": "Concentrations in µg/m³; without O₃: days that ozone alone made non-good count as good",
    },
    # Surfaces on the staff map (issue 16 item 4: maps/staff_surfaces.py)
    "surface.idw": {"zh": "{name}（{day}）", "en": "{name} ({day})"},
    "surface.raster": {
        "zh": "导入栅格：{name}（第{version}版）",
        "en": "Imported raster: {name} (v{version})",
    },
    "surface.zonal": {"zh": "分区统计（面积加权）", "en": "Zonal statistics (area-weighted)"},
    "surface.zone": {"zh": "区域", "en": "Zone"},
    "surface.mean": {"zh": "均值", "en": "Mean"},
    "surface.range": {"zh": "最小—最大", "en": "Min-max"},
    "surface.covered": {"zh": "覆盖", "en": "Covered"},
    "surface.no_value": {"zh": "无值", "en": "no value"},
    "surface.derived": {
        "zh": "（推导）为依定义推导的轮廓，非官方边界",
        "en": "(derived): outline derived from the definition, not the official boundary",
    },
    "surface.demo": {"zh": "由演示数据插值", "en": "Interpolated from demo data"},
    # --- zone supervision popups (issue 16) ---
    "zone.summary.title": {
        "zh": "区域监管（近 {days} 天）",
        "en": "Zone supervision (last {days} days)",
    },
    "zone.summary.demo": {
        "zh": "示例区域与监测点（演示数据，非真实船厂或港区）",
        "en": "Demo zone and monitors (demo data, not a real yard or port)",
    },
    "zone.summary.exceedance_hours": {"zh": "超标小时数", "en": "Exceedance hours"},
    "zone.summary.monitors": {"zh": "监测点", "en": "Monitors"},
    "zone.summary.nearby": {"zh": "周边空气站", "en": "Nearby AQI stations"},
    "zone.summary.background": {"zh": "背景站", "en": "Background stations"},
    "zone.summary.parameter": {"zh": "项目", "en": "Parameter"},
    "zone.summary.role": {"zh": "类别", "en": "Group"},
    "zone.summary.mean": {"zh": "均值", "en": "Mean"},
    "zone.summary.p95": {"zh": "P95", "en": "P95"},
    "zone.summary.diff": {"zh": "减背景", "en": "− background"},
    "zone.summary.limits": {"zh": "适用限值", "en": "Limits that apply"},
    "zone.summary.none": {"zh": "无监测点数据", "en": "No monitor data"},
    "zone.role.monitor": {"zh": "区域监测点", "en": "zone monitors"},
    "zone.role.nearby": {"zh": "周边空气站", "en": "nearby AQI stations"},
    "zone.role.background": {"zh": "城市背景", "en": "city background"},
    "zone.summary.last_data": {"zh": "最近数据", "en": "Last data"},
    "zone.summary.chart": {
        "zh": "{parameter} 日均值（红色：有超标小时）",
        "en": "{parameter} daily mean (red: a day with exceedance hours)",
    },
    "credit.data": {
        "zh": "监测数据：舟山市生态环境局；行政区划边界：{boundaries}",
        "en": "Monitoring data: Zhoushan Ecology and Environment Bureau; boundaries: {boundaries}",
    },
}

#: Where the district boundaries come from (geodata/data/SOURCES.md), for the credit line.
BOUNDARIES_CREDIT: Final = {"zh": "天地图行政区划数据", "en": "Tianditu administrative divisions"}


def data_credit(lang: str) -> str:
    """The maps' credit line: who measured the data and where the boundaries come from."""
    lang = normalise_lang(lang)
    return t("credit.data", lang, boundaries=BOUNDARIES_CREDIT[lang])


def normalise_lang(lang: str | None) -> str:
    """``zh`` or ``en``; anything else (or nothing) becomes Chinese."""
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = None, **fmt: object) -> str:
    """The label ``key`` in ``lang``, formatted with ``fmt``."""
    text = MESSAGES[key][normalise_lang(lang)]
    return text.format(**fmt) if fmt else text


def bundle(prefix: str, lang: str | None) -> dict[str, str]:
    """Every label whose key starts with ``prefix``, keyed without it (for page scripts)."""
    return {k[len(prefix) :]: t(k, lang) for k in MESSAGES if k.startswith(prefix)}
