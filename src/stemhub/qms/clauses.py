"""The clauses of ISO 20387:2018 (biobanking, general requirements) as data: their numbers,
a short title of our own in English and Chinese (not the standard's wording), whether software
can help evidence them, and a few audit questions per clause, also of our own.

Plain data and two functions (`clause`, `clause_title`), importable without Django's app
registry: the audit programme validates the clauses an audit covers against it, the default
checklists are built from its questions, and the clause map and QA dashboard list it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from stemhub.core.names import in_reader_language


@dataclass(frozen=True)
class Question:
    en: str
    zh: str


@dataclass(frozen=True)
class Clause:
    id: str  # "7.10"
    title_en: str
    title_zh: str
    # False: the clause is about the organisation itself (legal entity, structure, options),
    # which software neither does nor evidences.
    in_scope: bool = True
    questions: tuple[Question, ...] = ()

    @property
    def section(self) -> int:
        """The main clause it belongs to: 4 general, 5 structural, 6 resources, 7 process,
        8 quality management system."""
        return int(self.id.split(".")[0])

    @property
    def title(self) -> str:
        """The title in the active language."""
        return in_reader_language(self.title_en, self.title_zh)

    @property
    def label(self) -> str:
        """How a page cites it: `7.10 Data and information management`."""
        return f"{self.id} {self.title}"


SECTIONS: dict[int, tuple[str, str]] = {
    4: ("General requirements", "通用要求"),
    5: ("Structural requirements", "结构要求"),
    6: ("Resource requirements", "资源要求"),
    7: ("Process requirements", "过程要求"),
    8: ("Quality management system requirements", "质量管理体系要求"),
}


def _q(*pairs: tuple[str, str]) -> tuple[Question, ...]:
    return tuple(Question(en, zh) for en, zh in pairs)


CLAUSES: tuple[Clause, ...] = (
    Clause("4.1", "General", "总则", in_scope=False),
    Clause(
        "4.2",
        "Impartiality",
        "公正性",
        questions=_q(
            (
                "Are risks to impartiality identified and reviewed?",
                "是否识别并评审了影响公正性的风险？",
            ),
            (
                "Are decisions on access to material free of undue pressure, and recorded?",
                "生物样本获取的决定是否不受不当压力影响，且有记录？",
            ),
        ),
    ),
    Clause(
        "4.3",
        "Confidentiality",
        "保密性",
        questions=_q(
            (
                "Is access to donor and participant data limited to the people who need it?",
                "供者和参与者数据的访问是否仅限于确有需要的人员？",
            ),
            (
                "Are personal data pseudonymised where they are shared?",
                "对外共享时个人数据是否已假名化？",
            ),
        ),
    ),
    Clause("5", "Structural requirements", "结构要求", in_scope=False),
    Clause("6.1", "Resources in general", "资源总则", in_scope=False),
    Clause(
        "6.2",
        "Personnel and competence",
        "人员与能力",
        questions=_q(
            (
                "Does each job role state the competence it requires?",
                "每个岗位是否规定了所需的能力要求？",
            ),
            (
                "Are staff authorised before they perform regulated tasks alone?",
                "员工在独立执行受控任务前是否已获授权？",
            ),
            (
                "Are training records and competence assessments kept and current?",
                "培训记录和能力评估是否保存完整且在有效期内？",
            ),
        ),
    ),
    Clause(
        "6.3",
        "Facilities and environmental conditions",
        "设施与环境条件",
        questions=_q(
            (
                "Are storage areas monitored for temperature, with alarms acted on?",
                "储存区域是否进行温度监控，报警是否得到处理？",
            ),
            (
                "Is access to dedicated areas controlled?",
                "专用区域的进入是否受到控制？",
            ),
        ),
    ),
    Clause(
        "6.4",
        "Externally provided processes, products and services",
        "外部提供的过程、产品和服务",
        questions=_q(
            (
                "Are suppliers of critical reagents and services evaluated and approved?",
                "关键试剂和服务的供应商是否经过评价和批准？",
            ),
            (
                "Are incoming critical consumables checked before use?",
                "关键耗材在使用前是否经过验收？",
            ),
        ),
    ),
    Clause(
        "6.5",
        "Equipment",
        "设备",
        questions=_q(
            (
                "Is every instrument that affects results calibrated and within its due date?",
                "影响结果的仪器是否均已校准且在有效期内？",
            ),
            (
                "Is equipment found faulty taken out of use and labelled?",
                "发现故障的设备是否停用并加以标识？",
            ),
            (
                "Are maintenance records kept for each unit?",
                "是否为每台设备保存维护记录？",
            ),
        ),
    ),
    Clause("7.1", "Processes in general", "过程总则", in_scope=False),
    Clause(
        "7.2",
        "Collection of material and data",
        "生物材料及相关数据的采集",
        questions=_q(
            (
                "Is consent in place and checked before material is collected?",
                "采集前是否已取得并核查知情同意？",
            ),
            (
                "Are collection conditions recorded with each sample?",
                "每份样本是否记录了采集条件？",
            ),
        ),
    ),
    Clause(
        "7.3",
        "Reception and distribution",
        "接收与分发",
        questions=_q(
            (
                "Are received materials checked against their documentation?",
                "接收的材料是否与随附文件进行了核对？",
            ),
            (
                "Is each distribution approved, agreed in writing and recorded?",
                "每次分发是否经过批准、签订书面协议并有记录？",
            ),
        ),
    ),
    Clause(
        "7.4",
        "Transport",
        "运输",
        questions=_q(
            (
                "Are shipping conditions defined and their monitoring kept?",
                "是否规定了运输条件并保存监控记录？",
            ),
            (
                "Is receipt at destination confirmed?",
                "是否确认了目的地的接收情况？",
            ),
        ),
    ),
    Clause(
        "7.5",
        "Traceability",
        "可追溯性",
        questions=_q(
            (
                "Can a vial be traced from donor to its position and every recipient?",
                "能否将一支冻存管从供者追溯到其存放位置及每个接收方？",
            ),
            (
                "Is every movement of material recorded with who and when?",
                "材料的每次移动是否记录了操作人和时间？",
            ),
        ),
    ),
    Clause(
        "7.6",
        "Preparation and preservation",
        "制备与保存",
        questions=_q(
            (
                "Are preparation and freezing done to the procedure in force?",
                "制备和冻存是否按照现行程序进行？",
            ),
            (
                "Are batch records complete for each bank?",
                "每个细胞库的批记录是否完整？",
            ),
        ),
    ),
    Clause(
        "7.7",
        "Storage",
        "储存",
        questions=_q(
            (
                "Does the inventory agree with what is in the tanks (spot check)?",
                "库存记录与液氮罐中的实物是否一致（抽查）？",
            ),
            (
                "Are storage excursions assessed and their decisions signed?",
                "储存温度偏离是否经过评估且处置决定已签字？",
            ),
        ),
    ),
    Clause(
        "7.8",
        "Quality control",
        "质量控制",
        questions=_q(
            (
                "Are QC results reviewed before material is released?",
                "材料放行前是否审核了质控结果？",
            ),
            (
                "Are internal QC runs and proficiency tests done to plan?",
                "室内质控和能力验证是否按计划开展？",
            ),
        ),
    ),
    Clause(
        "7.9",
        "Validation and verification of methods",
        "方法的确认与验证",
        questions=_q(
            (
                "Is each method in use validated or verified, with a report?",
                "所用的每种方法是否经过确认或验证并有报告？",
            ),
        ),
    ),
    Clause(
        "7.10",
        "Data and information management",
        "数据与信息管理",
        questions=_q(
            (
                "Are changes to records traceable to who, when and why?",
                "记录的修改是否可追溯到修改人、时间和原因？",
            ),
            (
                "Are data backed up and a restore tested?",
                "数据是否备份，且恢复经过测试？",
            ),
        ),
    ),
    Clause(
        "7.11",
        "Nonconforming output",
        "不符合输出",
        questions=_q(
            (
                "Are nonconforming materials held and their release prevented?",
                "不符合的材料是否被隔离并防止放行？",
            ),
            (
                "Is each nonconformity assessed and closed with a reason?",
                "每个不符合项是否经过评估并说明理由后关闭？",
            ),
        ),
    ),
    Clause(
        "7.12",
        "Reports",
        "报告",
        questions=_q(
            (
                "Do certificates of analysis state the results and who approved them?",
                "分析证书是否注明结果及批准人？",
            ),
        ),
    ),
    Clause(
        "7.13",
        "Complaints",
        "投诉",
        questions=_q(
            (
                "Are complaints recorded, investigated and answered in time?",
                "投诉是否得到记录、调查并及时答复？",
            ),
        ),
    ),
    Clause("8.1", "Management system options", "管理体系方式", in_scope=False),
    Clause(
        "8.2",
        "Management system documentation",
        "管理体系文件",
        questions=_q(
            (
                "Is there a quality manual, current and approved?",
                "是否有现行有效并经批准的质量手册？",
            ),
        ),
    ),
    Clause(
        "8.3",
        "Control of documents",
        "文件控制",
        questions=_q(
            (
                "Are documents approved before they take effect?",
                "文件在生效前是否经过批准？",
            ),
            (
                "Are only current versions available where work is done?",
                "工作场所是否仅可获得现行版本？",
            ),
            (
                "Are documents reviewed at their due intervals?",
                "文件是否按规定周期进行评审？",
            ),
        ),
    ),
    Clause(
        "8.4",
        "Control of records",
        "记录控制",
        questions=_q(
            (
                "Are records legible, retrievable and kept for their retention period?",
                "记录是否清晰、可检索并按保存期限保存？",
            ),
            (
                "Do corrections keep the original entry visible?",
                "更正记录时是否保留原始内容可见？",
            ),
        ),
    ),
    Clause(
        "8.5",
        "Risks and opportunities",
        "风险和机遇的应对措施",
        questions=_q(
            (
                "Are risks to material and data identified and their actions followed up?",
                "是否识别了材料和数据的风险并跟踪应对措施？",
            ),
        ),
    ),
    Clause(
        "8.6",
        "Improvement",
        "改进",
        questions=_q(
            (
                "Is feedback from users and staff collected and used?",
                "是否收集并利用了用户和员工的反馈？",
            ),
        ),
    ),
    Clause(
        "8.7",
        "Nonconformities and corrective actions",
        "不符合项与纠正措施",
        questions=_q(
            (
                "Is the root cause of each nonconformity investigated?",
                "是否调查了每个不符合项的根本原因？",
            ),
            (
                "Are corrective actions checked for effectiveness before closure?",
                "纠正措施关闭前是否验证了其有效性？",
            ),
            (
                "Are CAPAs closed by their due dates?",
                "纠正和预防措施是否在到期日前关闭？",
            ),
        ),
    ),
    Clause(
        "8.8",
        "Internal audits",
        "内部审核",
        questions=_q(
            (
                "Does the audit programme cover every clause over the cycle?",
                "审核方案是否在一个周期内覆盖全部条款？",
            ),
            (
                "Are auditors independent of the work they audit?",
                "审核员是否独立于被审核的工作？",
            ),
        ),
    ),
    Clause(
        "8.9",
        "Management reviews",
        "管理评审",
        questions=_q(
            (
                "Was a management review held in the last twelve months?",
                "过去十二个月内是否进行了管理评审？",
            ),
            (
                "Are the review's decisions and actions followed up?",
                "管理评审的决定和措施是否得到跟进？",
            ),
        ),
    ),
)

_BY_ID: dict[str, Clause] = {c.id: c for c in CLAUSES}
IDS: tuple[str, ...] = tuple(_BY_ID)
IN_SCOPE_IDS: tuple[str, ...] = tuple(c.id for c in CLAUSES if c.in_scope)


def clause(clause_id: str) -> Clause | None:
    """The clause numbered `clause_id` ("7.10"), or None when there is none."""
    return _BY_ID.get(clause_id.strip())


def clause_title(clause_id: str) -> str:
    """`7.10 Data and information management` in the active language, or the bare id."""
    found = clause(clause_id)
    return found.label if found is not None else clause_id


def unknown_clauses(clause_ids: Iterable[str]) -> list[str]:
    """The ids among `clause_ids` that are not clauses of the standard."""
    return [c for c in clause_ids if clause(c) is None]


def section_title(number: int) -> str:
    """The main clause's title in the active language."""
    en, zh = SECTIONS[number]
    return in_reader_language(en, zh)


def by_section(*, in_scope_only: bool = False) -> list[tuple[int, str, list[Clause]]]:
    """The clauses grouped under their main clause (its number and title), in order; main
    clauses left with none are left out."""
    grouped = [
        (
            number,
            section_title(number),
            [c for c in CLAUSES if c.section == number and (c.in_scope or not in_scope_only)],
        )
        for number in SECTIONS
    ]
    return [group for group in grouped if group[2]]
