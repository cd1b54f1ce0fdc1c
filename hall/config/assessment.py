"""config.yaml's ``assessment:`` section: the 考核 scoring scheme, grades and 优秀窗口.

The defaults are the seeds' scheme (a 乡政务服务中心's 考核细则), so config.yaml needs no
``assessment:`` section for it to work:

- "对窗口工作人员的考核基础分为100分,违反本细则规定的按本细则规定扣分,具备本细则规定加分
  条件的按规定加分": ``base`` 100;
- "无故迟到、早退、离岗的每次扣2分;旷工半天(含半天)扣5分": ``late``, ``early`` and
  ``pause_over`` (a 离岗 longer than its limit) 2, ``absent`` 5 (a day without check-in);
- "因工作态度问题引起投诉或者与当事人发生争吵的每次扣2分": ``complaint`` 2 (a complaint
  found 属实);
- "因业务不熟造成行政许可事项不能按期办理…每件次扣5分": ``overdue_case`` 5;
- "受到当事人书面感谢或表扬的,经中心确认后加3分": ``commendation`` +3;
- "优秀等次的得分最低分不得少于95分,称职等次的得分最低分不得少于85分,基本称职等次的得分
  最低分不得少于70分,考核得分低于70分的为不称职": the grade thresholds;
- "对多次受到'差评'评价的窗口工作人员,经查核属实…限期调整人员": ``repeat_bad_ratings``
  confirmed 差评 in a period flag the clerk for the manager.

The seeds give no points for a 差评, a 空岗 alert or a 红/黄牌; ours (``bad_rating`` 2,
``vacancy`` 2 like a 离岗, ``red_card`` 5, ``yellow_card`` 2) are the hall's to change.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from hall.config.base import _Section


class AssessmentPoints(_Section):
    """Points per event: deductions (positive numbers, subtracted) and the addition."""

    late: float = Field(2, ge=0, le=100, description="迟到: per late day")
    early: float = Field(2, ge=0, le=100, description="早退: per early day")
    absent: float = Field(5, ge=0, le=100, description="旷工: per working day without check-in")
    pause_over: float = Field(2, ge=0, le=100, description="离岗: per pause over its limit")
    complaint: float = Field(2, ge=0, le=100, description="per complaint found 属实")
    bad_rating: float = Field(2, ge=0, le=100, description="per 差评 confirmed (核实) after 复核")
    overdue_case: float = Field(5, ge=0, le=100, description="per case finished late or overdue")
    vacancy: float = Field(2, ge=0, le=100, description="per 空岗 alert")
    red_card: float = Field(5, ge=0, le=100, description="per 红牌")
    yellow_card: float = Field(2, ge=0, le=100, description="per 黄牌")
    commendation: float = Field(3, ge=0, le=100, description="added per 表扬 (commendation)")


class AssessmentGrades(_Section):
    """The lowest score of each grade (below ``fair``: 不称职)."""

    excellent: float = Field(95, ge=0, le=1000, description="优秀: at least this score")
    competent: float = Field(85, ge=0, le=1000, description="称职: at least this score")
    fair: float = Field(70, ge=0, le=1000, description="基本称职: at least this score")

    @model_validator(mode="after")
    def _ordered(self) -> AssessmentGrades:
        if not self.excellent >= self.competent >= self.fair:
            raise ValueError("assessment.grades: need excellent >= competent >= fair")
        return self


class AssessmentSection(_Section):
    """考核: the scheme, the grades, the 多次差评 flag and the 优秀窗口 proposal."""

    base: float = Field(
        100, ge=0, le=1000, description="基础分: every clerk and window starts here"
    )
    points: AssessmentPoints = AssessmentPoints()
    grades: AssessmentGrades = AssessmentGrades()
    pause_limit_min: float | None = Field(
        None,
        gt=0,
        le=1440,
        description="a 离岗 longer than this (minutes) is deducted; null: the vacancy limit of "
        "its reason (vacancy.alert_after_min / alert_after_min_by_reason)",
    )
    repeat_bad_ratings: int = Field(
        3, ge=1, le=100, description="多次差评: this many confirmed 差评 in a period raise a flag"
    )
    excellence_top: int = Field(
        3, ge=1, le=100, description="季度优秀窗口: up to this many windows of grade 优秀 proposed"
    )
