"""One citizen's self-service submission (自助申报) in progress, without Kivy.

:class:`SubmissionFlow` holds everything personal the kiosk screens collect:
the chosen matter, the applicant (ID number, name, mobile), the form values,
the captured material images and the materials skipped. :meth:`clear`
forgets all of it (idle timeout, back home, after the notice). The applicant's
name, ID number and phone fill the matter's form fields of the same meaning
(``applicant_name``, ``applicant_id``, ``phone``), so nobody types them twice.

人证比对: when the ID card reader gave the card's photo, the flow holds it for
the face comparison step only (:meth:`SubmissionFlow.card_read`); recording the
outcome (:meth:`SubmissionFlow.record_identity`) drops it. The outcome goes
with the case as a plain flag (:data:`IDENTITY_CHECKS`), never face data; both
belong to the ID number they were made for and lapse if it is changed.

:func:`print_notice` prints a notice and says what became of the paper.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from hall.catalogue import FieldError, FieldType, FormField, Matter, validate_form
from hall.drivers.errors import DriverError, PaperOut
from hall.kiosk.entry import IdEntry
from hall.kiosk.form_entry import MobileEntry
from hall.kiosk.notices import Notice, missing_mandatory, notice_elements, promised_date
from hall.kiosk.outbox import Draft, Material, Stored
from hall.kiosk.receipts import keyed_link
from hall.kiosk.ticketing import PrintOutcome
from hall.workdays import WorkCalendar

log = logging.getLogger(__name__)

#: Form fields filled from the identify step (field name -> applicant key).
APPLICANT_FIELDS = {"applicant_name": "name", "applicant_id": "id_number", "phone": "phone"}
NAME_MAX = 30
#: What the case says about the applicant's identity (人证比对): the face matched the
#: ID card photo; it was compared and did not match; the citizen skipped it (or the
#: camera failed before any comparison). Not compared at all (no photo, no face
#: camera on this kiosk): no flag. Staff check the ID at the window unless it matched.
IDENTITY_CHECKS = ("face_matched", "failed", "skipped")


@dataclass(frozen=True)
class Shot:
    """One accepted material image (JPEG of the rectified page)."""

    jpeg: bytes
    verdict: str


class SubmissionFlow:
    """The submission being made at this kiosk now; see the module docstring."""

    def __init__(self) -> None:
        self.id_entry = IdEntry()
        self.phone_entry = MobileEntry()
        self.clear()

    def clear(self) -> None:
        """Forget everything personal: matter, applicant, form, images, skips."""
        self.matter: Matter | None = None
        self.id_entry.clear()
        self.phone_entry.clear()
        self.name = ""
        self.values: dict[str, str] = {}
        self.shots: dict[str, Shot] = {}
        self.skipped: set[str] = set()
        self.drop_photo()
        self._identity: tuple[str, str] | None = None  # (ID number, outcome)

    @property
    def empty(self) -> bool:
        """Nothing personal held."""
        return not (
            self.matter or self.id_entry.value or self.phone_entry.value or self.name
        ) and not (self.values or self.shots or self.skipped or self._photo or self._identity)

    def start(self, matter: Matter) -> None:
        """Begin a new submission for ``matter`` (anything earlier is forgotten)."""
        self.clear()
        self.matter = matter

    # -- identify ----------------------------------------------------------------
    def applicant_problem(self, lang: str) -> str | None:
        """What still stops the identify step, in ``lang``; None when it is complete."""
        zh = lang == "zh"
        if not self.id_entry.complete:
            return self.id_entry.problem(lang) or (
                "请输入18位身份证号码" if zh else "Enter your 18-character ID number"
            )
        if not self.name.strip():
            return "请输入姓名" if zh else "Enter your name"
        if len(self.name.strip()) > NAME_MAX:
            return f"姓名不能超过{NAME_MAX}个字" if zh else f"Name: at most {NAME_MAX} characters"
        if not self.phone_entry.is_mobile:
            return "请输入11位手机号码" if zh else "Enter your 11-digit mobile number"
        return None

    def card_read(self, number: str, name: str | None, photo: Any | None) -> None:
        """The ID card reader read a card: its number, name and (if given) photo.

        A new card starts the identity check again (an outcome recorded for
        another card no longer holds).
        """
        self.id_entry.value = number
        if name:
            self.name = name.strip()[:NAME_MAX]
        self._photo = (number, photo) if photo is not None else None
        self._identity = None

    @property
    def id_photo(self) -> Any | None:
        """The card photo of the ID number now entered, while the comparison is pending."""
        if self._photo is None or self._photo[0] != self.id_entry.value:
            return None
        return self._photo[1]

    def number_changed(self) -> None:
        """The ID number was edited: a card photo of another number is dropped at once."""
        if self._photo is not None and self._photo[0] != self.id_entry.value:
            self.drop_photo()

    def drop_photo(self) -> None:
        """Forget the card photo (the comparison step is over)."""
        self._photo: tuple[str, Any] | None = None

    def record_identity(self, outcome: str) -> None:
        """Record the identity check for the ID number now entered; the photo is dropped."""
        if outcome not in IDENTITY_CHECKS:
            raise ValueError(f"unknown identity check {outcome!r}")
        self._identity = (self.id_entry.value, outcome)
        self.drop_photo()

    @property
    def identity_check(self) -> str | None:
        """The identity check of the ID number now entered (None: not compared)."""
        if self._identity is None or self._identity[0] != self.id_entry.value:
            return None
        return self._identity[1]

    @property
    def applicant(self) -> dict[str, str]:
        """The applicant as stored with the case."""
        return {
            "name": self.name.strip(),
            "id_number": self.id_entry.value,
            "phone": self.phone_entry.value,
        }

    # -- form ---------------------------------------------------------------------
    def form_fields(self) -> list[FormField]:
        """The fields the citizen fills on the form screen (not the applicant's own)."""
        return (
            [f for f in self.matter.form if f.name not in APPLICANT_FIELDS] if self.matter else []
        )

    def form_values(self) -> dict[str, str]:
        """Every form value: typed ones plus the applicant's, blanks left out."""
        values = {k: v for k, v in self.values.items() if v.strip()}
        fields = {f.name for f in self.matter.form} if self.matter else set()
        for name, key in APPLICANT_FIELDS.items():
            if name in fields:
                values[name] = self.applicant[key]
        return values

    def form_errors(self) -> dict[str, FieldError]:
        """validate_form on the whole form (applicant fields included)."""
        return validate_form(self.matter, self.form_values()) if self.matter else {}

    # -- materials -------------------------------------------------------------------
    def camera_materials(self) -> list[Any]:
        """The materials taken with the camera, in catalogue order."""
        return [m for m in self.matter.materials if m.camera] if self.matter else []

    def handed_in_materials(self) -> list[Any]:
        """Materials the kiosk cannot capture (photos, originals handed in at a window)."""
        return [m for m in self.matter.materials if not m.camera] if self.matter else []

    def accept(self, material: str, jpeg: bytes, verdict: str = "ok") -> None:
        """Keep the image of ``material``."""
        self.shots[material] = Shot(jpeg, verdict)
        self.skipped.discard(material)

    def skip(self, material: str) -> None:
        """The citizen does not have ``material`` now (mandatory ones become 补正)."""
        self.shots.pop(material, None)
        self.skipped.add(material)

    def missing(self) -> list[str]:
        """Every mandatory material not captured (一次性告知), catalogue order."""
        return missing_mandatory(self.matter, set(self.shots)) if self.matter else []

    # -- submit ------------------------------------------------------------------------
    def promised(self, calendar: WorkCalendar, today: dt.date) -> dt.date | None:
        """承诺办结日期 for a complete case accepted ``today``; None: 即办 or 补正.

        Raises CalendarError when the holiday table of that year is not loaded.
        """
        if self.matter is None or self.missing() or self.matter.promised_days == 0:
            return None
        return promised_date(calendar, self.matter, today)

    def draft(self, promised: dt.date | None) -> Draft:
        """The case to store on the terminal."""
        assert self.matter is not None
        materials = [
            Material(m.name, m.mandatory, self.shots[m.name].jpeg)
            for m in self.matter.materials
            if m.name in self.shots
        ]
        return Draft(
            matter=self.matter.code,
            applicant=self.applicant,
            form=self.form_values(),
            materials=materials,
            missing=self.missing(),
            promised_date=promised,
            identity_check=self.identity_check,
        )

    def notice(
        self,
        stored: Stored,
        hall_name: str,
        progress_url: str,
        promised: dt.date | None,
        correct_by: dt.date | None = None,
        correct_place: str = "",
    ) -> Notice:
        """The notice of a stored case (受理通知书 or 补正材料通知书, with its deadline and place)."""
        assert self.matter is not None
        return Notice(
            hall_name=hall_name,
            receipt=stored.receipt,
            matter=self.matter,
            applicant_name=self.applicant["name"],
            submitted_at=stored.submitted_at,
            captured=tuple(m.name for m in self.matter.materials if m.name in self.shots),
            missing=tuple(self.missing()),
            promised=promised,
            # The progress page with the case's rating key: printed here and nowhere else.
            progress_url=keyed_link(progress_url.format(receipt=stored.receipt), stored.rating_key),
            correct_by=correct_by if self.missing() else None,
            correct_place=correct_place if self.missing() else "",
        )


def keypad_type(field: FormField) -> bool:
    """True for the field types typed on the numeric keypad."""
    return field.type in (FieldType.NUMBER, FieldType.DATE, FieldType.PHONE, FieldType.ID_NUMBER)


def print_notice(printer: Any | None, notice: Notice) -> tuple[PrintOutcome, str]:
    """Print ``notice``; the outcome and, when it did not print, why (for the log)."""
    if printer is None:
        return PrintOutcome.NO_PRINTER, ""
    try:
        printer.print_elements(notice_elements(notice), notice.title)
    except PaperOut as exc:
        outcome, detail = PrintOutcome.PAPER_OUT, str(exc)
    except DriverError as exc:  # PrinterOffline and any other driver failure
        outcome, detail = PrintOutcome.OFFLINE, str(exc)
    else:
        return PrintOutcome.PRINTED, ""
    log.warning("notice %s not printed: %s", notice.receipt, detail)
    return outcome, detail
