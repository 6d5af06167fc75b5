//! What the REPL's `.help` prints, in both languages: the meta commands with their usage, and
//! the `query` and `gaps` topics.

pub(super) const META_COMMANDS: &[(&str, &str)] = &[
    (
        ".help",
        ".help [TOPIC]           this help, or help on a topic: query, gaps, meta",
    ),
    (
        ".schema",
        ".schema                 node and edge kinds with their counts",
    ),
    (".format", ".format table|json|csv  how results print"),
    (
        ".lang",
        ".lang zh|en             中文 or English labels, values, reasons and notes",
    ),
    (
        ".export",
        ".export FILE            write the last result (.xlsx, .csv, .md or .json)",
    ),
    (
        ".draw",
        ".draw CHAIN [in PLACE] FILE   draw a chain (status in PLACE) as .svg, .png or .dot",
    ),
    (
        ".timing",
        ".timing on|off          print parse/plan/execution time after each statement",
    ),
    (
        ".pager",
        ".pager on|off           page long results (on by default; CHAINKB_PAGER=off turns it off)",
    ),
    (".open", ".open PATH              open another database"),
    (
        ".snapshot",
        ".snapshot NAME          keep the current state as snapshot NAME (.snapshot list)",
    ),
    (
        ".diff",
        ".diff NAME [NAME2] [-o brief.md]  what changed since snapshot NAME",
    ),
    (
        ".project",
        ".project move P STATUS | add | list   the project closed loop (as chainkb project)",
    ),
    (
        ".prospect",
        ".prospect add|move|list  the 客商库 (as chainkb prospect)",
    ),
    (
        ".firm",
        ".firm add NAME --in PLACE --segments S  a firm met in a meeting",
    ),
    (
        ".note",
        ".note ENTITY TEXT       attach a note to an entity",
    ),
    (
        ".changes",
        ".changes ENTITY         an entity's recorded history",
    ),
    (".journal", ".journal                every recorded change"),
    (
        ".history",
        ".history                the statements typed so far",
    ),
    (".quit", ".quit                   leave (or Ctrl-D)"),
];

/// The meta commands' help lines in Chinese, in the order of `META_COMMANDS` (a unit test holds
/// them to the same commands).
pub(super) const META_HELP_ZH: &[(&str, &str)] = &[
    (
        ".help",
        ".help [主题]            本帮助，或某一主题的帮助：query、gaps、meta",
    ),
    (".schema", ".schema                 节点与边的种类及数量"),
    (".format", ".format table|json|csv  结果的输出格式"),
    (
        ".lang",
        ".lang zh|en             中文或英文显示列名、取值、理由和注释",
    ),
    (
        ".export",
        ".export 文件            把上一个结果写入文件（.xlsx、.csv、.md 或 .json）",
    ),
    (
        ".draw",
        ".draw 产业链 [in 地方] 文件   画产业链（在某地的现状）为 .svg、.png 或 .dot",
    ),
    (
        ".timing",
        ".timing on|off          每条语句后打印解析、计划、执行用时",
    ),
    (
        ".pager",
        ".pager on|off           分页显示长结果（默认开；环境变量 CHAINKB_PAGER=off 关闭）",
    ),
    (".open", ".open 路径              打开另一个数据库"),
    (
        ".snapshot",
        ".snapshot 名称          把当前状态存为快照（.snapshot list 列出快照）",
    ),
    (
        ".diff",
        ".diff 名称 [名称2] [-o brief.md]  快照以来的变化（会前简报）",
    ),
    (
        ".project",
        ".project move 项目 状态 | add | list   项目闭环（同 chainkb project）",
    ),
    (
        ".prospect",
        ".prospect add|move|list  客商库（同 chainkb prospect）",
    ),
    (
        ".firm",
        ".firm add 名称 --in 地方 --segments 环节  会上新知的企业",
    ),
    (".note", ".note 实体 文字         给实体加备注"),
    (".changes", ".changes 实体           实体的变更记录"),
    (".journal", ".journal                全部变更记录"),
    (".history", ".history                已输入的语句"),
    (".quit", ".quit                   退出（或 Ctrl-D）"),
];

pub(super) const HELP_QUERY_ZH: &str = "\
语句是管道：来源 | 步骤 | 步骤 …（以 ; 结束，或语句完整时直接回车）
  查找 恩捷股份                          按名称、别名或规范化名称查实体
  产业链 | 环节 of 锂电池 | 园区 …          带属性的列表
  上游 动力电池 深度 2 在 玉溪高新区        沿链追溯，并显示本地状态
  现状 锂电池 在 玉溪高新区                每个环节的状态、生产企业、项目
  | 筛选 状态 = 缺失 | 排序 x desc | 限制 10 | 选择 a, b | 分组 by a with 计数()
英文关键字同样可用：status 锂电池 in 玉溪高新区 | where state = missing …
列名可用中文或英文（状态 / state），取值也一样（缺失 / missing）。
未写完的语句在 `    ...>` 提示符下继续；在那里按 Ctrl-C 放弃。
Tab 补全光标处合适的内容——fill/现状 后的产业链、in/在 后的地方、上游 后的环节、| 后的步骤、
where/sort/select 后的列——也可用拼音（dldc → 动力电池）。
完整说明见 docs/QUERY.md。";

pub(super) const HELP_GAPS_ZH: &str = "\
  补链 锂电池 在 玉溪高新区        补链：本地已有环节需要而缺失的环节（断链在前）
  延链 锂电池 在 玉溪高新区        延链：与本地链相邻的缺失环节，按关联密度排序
  强链 锂电池 在 玉溪高新区        强链：单一企业 / 无龙头企业 / 仅有规划
  建链 在 玉溪高新区               建链：本地产业体系中覆盖率低的产业链
  对比 锂电池 在 玉溪高新区, 楚雄高新区   各地有哪些环节、哪些重合（同质化）
  补链 锂电池 在 玉溪高新区 | 目标企业 | 筛选 origin > 0 | 限制 30
                               目标企业：为缺口招引的外地企业，带得分和理由
  上游 动力电池 深度 6 在 玉溪高新区 | 筛选 状态 = 缺失 | 生产企业 不在 玉溪高新区 | 限制 50
                               生产企业：生产这些缺失环节的外地企业，按营收排序
  .export 招商名单.xlsx          把上一个结果存成文件，带去招商";

pub(super) const HELP_QUERY: &str = "\
Statements are pipelines: SOURCE | STAGE | STAGE …  (end with ; or just Enter when complete)
  find 恩捷股份                          look an entity up by name, alias or normalized name
  chains | segments of 锂电池 | parks …   lists with attributes
  upstream 动力电池 depth 2 in 玉溪高新区   traversal with local state
  status 锂电池 in 玉溪高新区              every segment with its state, producers, projects
  | where state = \"missing\" | sort x desc | limit 10 | select a, b | group by a with count()
Chinese keywords work too: 现状 锂电池 在 玉溪高新区 | 补链 锂电池 在 玉溪高新区 …
An unfinished statement goes on at the `    ...>` prompt; Ctrl-C there drops it.
Tab completes what fits where the cursor is — a chain after fill/status, a place after in, a
segment after upstream, a stage after |, a column after where/sort/select — also by pinyin
(dldc → 动力电池); where the words before do not tell, any keyword or name.
The full reference is docs/QUERY.md.";

pub(super) const HELP_GAPS: &str = "\
  fill 锂电池 in 玉溪高新区        补链: missing segments a present one needs (断链 first)
  extend 锂电池 in 玉溪高新区      延链: missing neighbours ranked by relatedness density
  strengthen 锂电池 in 玉溪高新区  强链: single producer / no leading firm / planned only
  build in 玉溪高新区              建链: chains of the place's industry system with low coverage
  compare 锂电池 in 玉溪高新区, 楚雄高新区   which segments each has, overlaps (同质化)
  fill 锂电池 in 玉溪高新区 | targets | where origin > 0 | limit 30
                               目标企业: outside firms for the gaps, scored, with reasons
  upstream 动力电池 depth 6 in 玉溪高新区 | where state = missing | producers outside 玉溪高新区 | limit 50
                               生产企业: outside firms making those segments, by revenue
  .export targets.xlsx         the last result, for the recruiting trip";
