#!/usr/bin/env python3
"""Write seeds/catalog-yunnan.csv from 附件1 of yunnan-investment-guidance-and-catalog.txt.

Each numbered line `N.HEADING（ITEMS）` under an industry `（一）INDUSTRY` becomes one row per
item, as written: the parenthesised list is split at its clause marks (，；。) and, when it has
only one clause, at 、; a trailing 等 is dropped, nothing else changes. A line without a list
is one row with an empty item. `models` names the chain segments that model an item (segment
names found in the item's text, longest first), else the chain that models the heading
(HEADING_MODELS, curated). Run from the repository root:

    python3 tools/seeds/catalog_yunnan.py /path/to/yunnan-investment-guidance-and-catalog.txt
"""
import csv, re, subprocess, sys

DOC = "yunnan-investment-guidance-and-catalog.txt"
SYSTEM = "云南省招商引资指导目录"
# (industry number) → the industry's id in seeds/industries.csv (as systems.csv names it)
INDUSTRIES = {1: "高原特色现代农业", 2: "绿色铝", 3: "光伏制造业", 4: "先进制造业",
              5: "绿色能源产业", 6: "新材料产业", 7: "生物医药产业", 8: "数字经济",
              9: "文旅康养产业", 10: "现代物流业"}
# (industry, number) → chains/segments modelling the heading as a whole (curated)
HEADING_MODELS = {
    (1, 1): "茶叶", (1, 2): "花卉", (1, 3): "蔬菜", (1, 4): "水果", (1, 5): "坚果",
    (1, 6): "咖啡", (1, 7): "中药材产业链", (1, 8): "生猪肉牛山羊", (1, 9): "乡村旅游",
    (1, 10): "蔗糖", (1, 11): "天然橡胶",
    (2, 1): "绿色铝产业链", (2, 2): "绿色铝产业链", (2, 3): "绿色铝产业链",
    (2, 4): "绿色铝产业链", (2, 5): "绿色铝产业链",
    (3, 1): "光伏", (3, 2): "光伏", (3, 3): "光伏",
    (4, 1): "磷化工", (4, 2): "硅化工", (4, 3): "装备制造",
    (5, 1): "绿色能源产业链", (5, 2): "绿色能源产业链",
    (6, 1): "贵金属新材料", (6, 2): "新能源电池材料", (6, 3): "钛产业链", (6, 4): "锡",
    (6, 5): "光电子微电子新材料",
    (7, 1): "疫苗", (7, 5): "化学药",
    (8, 1): "数字服务;电子信息制造",
    (9, 1): "文旅康养产业链", (9, 2): "文旅康养产业链",
    (10, 1): "现代物流", (10, 2): "现代物流", (10, 3): "现代物流",
}
# segment-name prefix an item takes under a heading (坚果: 饮料 → 坚果饮料), tried first
PREFIX = {(1, 11): "橡胶", (1, 5): "坚果", (1, 6): "咖啡", (1, 3): "蔬菜", (6, 3): "钛", (2, 1): "铝",
          (2, 2): "铝", (2, 3): "铝", (2, 4): "铝", (2, 5): "铝"}
# item text → models where the item's words differ from the segment's name (curated)
ITEM_MODELS = {
    "血液制品": "免疫球蛋白制品", "细胞制品": "细胞制品", "含核桃及澳洲坚果": "核桃种植;澳洲坚果种植",
    "方便类": "方便类肉制品", "速冻类": "速冻类肉制品", "鲜切花品种培育": "花卉品种培育",
    "鲜切花大宗交易": "花卉交易", "花卉主题景观及休闲旅游": "花卉旅游", "饮品": "咖啡饮品",
    "精深加工机械设备": "咖啡精深加工机械设备", "咖啡吧服务及连锁加盟店": "咖啡吧连锁",
    "产业服务平台": "咖啡产业服务平台", "酒精": "糖蜜酒精", "造纸": "蔗渣造纸",
    "有机肥": "制糖副产有机肥", "磷酸铁锂等正极材料": "正极材料", "模锻件机械加工件": "钛模锻件",
    "新型疫苗研发生物制品批签发实验室建设": "疫苗批签发检验", "高效电池片": "光伏电池片",
    "高效组件": "光伏组件", "数字产品制造业": "电子信息制造", "数字产品服务业": "数字服务",
    "数字技术应用业": "数字服务", "数据要素驱动业": "数字服务",
    "GAP标准化生产基地建设": "中药材种植", "中药材国际交易中心建设": "中药材交易",
    "包装设计及机械设备": "咖啡包装设计及机械设备", "新鲜牛奶": "液态奶",
    "建筑模板型材": "建筑铝模板", "建筑模板系统": "建筑铝模板", "道路灯杆": "铝制道路灯杆",
    "公交车站防雨棚": "铝制公交车站防雨棚", "铝合金整体车轮、压铸件等铸件生产": "铝合金车轮;铝合金压铸件",
    "保险杠、行李架、电池托架等汽车零部件模块": "铝制汽车零部件模块",
    "包装领域用铝板带箔": "包装铝板带箔", "药品包装": "药品包装铝箔", "家用包装": "家用包装铝箔",
    "管材生产": "铝管材", "电子产品外壳用挤压材和板带材生产": "电子产品外壳铝材",
    "新能源动力电池箔等铝箔产品生产": "铝箔", "家具用铝型材和板带材生产": "家具铝型材",
    "工业级、食品级、牙膏级、医药级磷酸盐": "工业级磷酸盐;食品级磷酸盐;牙膏级磷酸盐;医药级磷酸盐",
    "方便类、速冻类、休闲类肉制品": "方便类肉制品;速冻类肉制品;休闲类肉制品",
    "有机氟硅材料、超高分子聚合物、粘合剂、密封剂、防护涂料、绝缘浸渍漆等产品":
        "有机氟硅材料;超高分子聚合物;有机硅粘合剂;有机硅密封剂;有机硅防护涂料;绝缘浸渍漆",
    "高原型变压器、节能电机、智能开关成套设备、风电装备等研发生产": "输配电设备;电机;风电装备",
    "电力装备": "输配电设备", "数控机床产业链核心功能部件": "数控机床",
    "中高端数控镗铣床、数控卧式车床、光机和精密中小件等优势产品": "数控机床整机;机床光机",
    "新能源开发和配套接网工程建设": "新能源配套接网工程",
    "页岩气和煤层气（煤矿瓦斯）勘探开发利用": "页岩气勘探开发;煤层气勘探开发",
    "BGA（球栅阵列封装）锡球": "BGA锡球", "有机硅": "硅化工", "精细化工": "", "液态金属": "",
    "橡胶": "",
    "高纯锗单晶材料、光伏/光纤级锗材料、红外级锗材料等新材料": "高纯锗单晶;光伏级锗单晶片;光纤级锗材料;红外级锗材料",
}
# models of a line with no item (the heading is all the line says)
LINE_MODELS = {(7, 5): "化学药;原料药"}
# anomalies of the document itself, per (industry, number)
NOTES = {(4, 2): "原文本行两次列出“有机硅单体”，照录",
         (1, 9): "乡村旅游在目录中列于（一）高原特色现代农业之下（不在（九）文旅康养产业下），照录"}
# lines whose items are not a trailing bracketed list: (industry, number) → items as written
LINE_ITEMS = {
    (3, 2): ["高转换效率、大尺寸、双面PERC电池（P型背面钝化电池）",
             "TOPCon电池（隧穿氧化层钝化接触电池）", "HJT电池（异质结电池）"],
    (7, 3): [""], (7, 5): [""], (6, 8): [""],
    (1, 8): ["方便类、速冻类、休闲类肉制品", "新鲜牛奶", "新鲜酸奶", "常温酸奶", "乳酸菌饮品",
             "婴幼儿及中老年奶粉", "奶酪", "黄油", "冷饮"],
    (4, 1): ["高端水溶肥、特种功能性肥料等新型肥料", "工业级、食品级、牙膏级、医药级磷酸盐"],
}
CN = "一二三四五六七八九十"


def segments():
    out = subprocess.run(["./target/debug/chainkb", "query", "--format", "csv",
                          "segments | select name"], capture_output=True, text=True, check=True)
    return sorted(out.stdout.split("\n")[1:-1], key=len, reverse=True)


def closes_at_end(rest):
    """Whether the first bracket of `rest` closes at its last character."""
    depth = 0
    for i, ch in enumerate(rest):
        if ch in "（〔(":
            depth += 1
        elif ch in "）〕)":
            depth -= 1
            if depth == 0:
                return i == len(rest) - 1
    return False


def split_items(body):
    depth, parts, cur = 0, [], ""
    for ch in body:
        if ch in "（〔(":
            depth += 1
        elif ch in "）〕)":
            depth -= 1
        if depth == 0 and ch in "，；。":
            parts.append(cur); cur = ""
        else:
            cur += ch
    parts.append(cur)
    out = []
    for clause in (p for p in parts if p.strip()):
        out.extend(split_enum(clause))
    return [re.sub(r"等$", "", p.strip()) for p in out if p.strip()]


def split_enum(clause):
    """A clause listing things with 、 is split, unless 等 sums the list up (石墨、氧化亚硅等负极材料)
    or the parts share the last one's noun (方便类、速冻类、休闲类肉制品: kept whole)."""
    parts, depth, cur = [], 0, ""
    if "等" in clause.rstrip("等"):
        return [clause]
    if True:
        for ch in clause:
            if ch in "（〔(":
                depth += 1
            elif ch in "）〕)":
                depth -= 1
            if depth == 0 and ch == "、":
                parts.append(cur); cur = ""
            else:
                cur += ch
        parts.append(cur)
    return parts


def main(path):
    segs = segments()
    lines = open(path, encoding="utf-8").read().split("\n")
    start = next(i for i, l in enumerate(lines) if l.strip() == "一、招商引资重点产业清单")
    w = csv.writer(open("seeds/catalog-yunnan.csv", "w", encoding="utf-8", newline=""),
                   lineterminator="\n")
    w.writerow(["place", "system", "industry", "industry_no", "number", "heading", "item",
                "models", "source", "notes"])
    ind = None
    for i in range(start + 1, len(lines)):
        line, no = lines[i].strip(), i + 1
        if line.startswith("二、"):
            break
        m = re.match(r"^（([一二三四五六七八九十]+)）(.+)$", line)
        if m:
            t = m.group(1)
            ind = CN.index(t) + 1 if len(t) == 1 else 10
            continue
        m = re.match(r"^(\d+)\.(.+)$", line)
        if not m or ind is None:
            continue
        num, rest = int(m.group(1)), m.group(2)
        # HEADING（ITEMS） or HEADING〔ITEMS〕 at the end of the line
        mm = re.match(r"^(.*?)[（〔](.*)[）〕]$", rest)
        if (ind, num) in LINE_ITEMS:
            bracketed = mm and closes_at_end(rest[len(mm.group(1)):])
            heading, items = (mm.group(1) if bracketed else rest), LINE_ITEMS[(ind, num)]
        elif mm and closes_at_end(rest[len(mm.group(1)):]):
            heading, items = mm.group(1), split_items(mm.group(2))
        elif re.search("[、，]", rest):
            heading, items = rest, split_items(rest)
        else:
            heading, items = rest, [""]
        loc = f"{DOC}:{no} 附件1 一({CN[ind-1] if ind < 10 else '十'}){num}"
        for item in items:
            models = []
            text = item or heading
            prefixed = PREFIX.get((ind, num), "") + text
            if not item and (ind, num) in LINE_MODELS:
                models = LINE_MODELS[(ind, num)].split(";")
            elif text in ITEM_MODELS:
                models = [m for m in ITEM_MODELS[text].split(";") if m]
            elif (ind, num) in PREFIX and prefixed in segs:
                models = [prefixed]
            else:
                rest_text = text
                for s in segs:
                    if s and s in rest_text:
                        models.append(s)
                        rest_text = rest_text.replace(s, "\0")
            if not models and text not in ITEM_MODELS and (ind, num) in HEADING_MODELS:
                models = HEADING_MODELS[(ind, num)].split(";")
            w.writerow(["云南省", SYSTEM, INDUSTRIES[ind], ind, num, heading, item,
                        ";".join(models), loc, NOTES.get((ind, num), "")])


main(sys.argv[1])
