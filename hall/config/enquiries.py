"""config.yaml's ``enquiries:`` section: the 首问 register's quick topics on the caller panel.

The seed's 首问负责制: "行政管理相对人来行政机关办事或者通过电话、传真等形式所询问的第一位
机关工作人员,即为首问责任人" and "各部门应建立首问负责制登记薄,详细记录行政管理相对人拟办
事项情况及办理结果". The caller panel's form offers these topics as one tap each (a clerk may
still type another); the defaults are what a counter is asked most.
"""

from __future__ import annotations

from pydantic import Field

from hall.config.base import _Section


class QuickTopic(_Section):
    """One topic offered as a button on the caller panel's 首问 form."""

    zh: str = Field(min_length=1, max_length=40)
    en: str = Field(min_length=1, max_length=60)


_DEFAULT_TOPICS = [
    QuickTopic(zh="办事材料", en="Materials needed"),
    QuickTopic(zh="办理流程", en="How to apply"),
    QuickTopic(zh="办理进度", en="Progress of a case"),
    QuickTopic(zh="收费标准", en="Fees"),
    QuickTopic(zh="窗口位置", en="Which window"),
    QuickTopic(zh="办理时间", en="Opening hours"),
]


class EnquiriesSection(_Section):
    """The 首问 register: the quick topics of the caller panel's form."""

    quick_topics: list[QuickTopic] = Field(
        default_factory=lambda: list(_DEFAULT_TOPICS),
        max_length=12,
        description="首问 topics offered as one tap on the caller panel (a clerk may type another)",
    )
