"""config.yaml sections for face check-in (terminals) and attendance rules."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hall.config.base import HHMM, _Section


class ClassicFaceConfig(_Section):
    """The default engine: Haar cascade detector + LBPH recognizer (both ship with OpenCV).

    Distances are LBPH chi-square distances (lower = more alike); the defaults
    were chosen from measurements on the ORL faces (bench/bench_face.py).
    """

    identify_threshold: float = Field(
        89.0, gt=0, description="1:N (staff): accept the best match at or below this distance"
    )
    verify_threshold: float = Field(
        100.0, gt=0, description="1:1 (ID photo): same person at or below this distance"
    )
    min_face_px: int = Field(100, ge=24, description="smallest face side detected, in pixels")


class DnnFaceConfig(_Section):
    """The optional engine: YuNet detector + SFace recognizer (ONNX files on the device)."""

    detector_model: str | None = Field(None, description="YuNet .onnx file")
    recognizer_model: str | None = Field(None, description="SFace .onnx file")
    # OpenCV's SFace reference values (cosine >= 0.363: same person, measured by
    # its authors on LFW); not re-measured here: no model files on this machine.
    identify_threshold: float = Field(0.45, gt=0, le=1, description="1:N: minimum cosine")
    verify_threshold: float = Field(0.363, gt=0, le=1, description="1:1: minimum cosine")
    score_threshold: float = Field(0.8, gt=0, le=1, description="YuNet face score")


class LivenessConfig(_Section):
    """活体检测: a still or rigidly moved photo must not check in."""

    frames: int = Field(8, ge=3, le=60, description="frames with one face needed for a decision")
    max_frames: int = Field(45, ge=3, le=300, description="give up after this many frames")
    min_change: float = Field(
        6.0, gt=0, description="non-rigid change (grey levels, after alignment) that counts as live"
    )
    min_hits: int = Field(
        3, ge=1, description="frames of a window that must reach min_change (bench_face --liveness)"
    )


class FaceSection(_Section):
    """人脸签到 on the terminals: engine, thresholds, template encryption, liveness."""

    engine: Literal["classic", "dnn"] = "classic"
    classic: ClassicFaceConfig = ClassicFaceConfig()
    dnn: DnnFaceConfig = DnnFaceConfig()
    enrol_frames: int = Field(5, ge=1, le=20, description="frames with a face for one template")
    template_key: str | None = Field(
        None,
        pattern=r"^[0-9a-fA-F]{64}$",
        description="AES-256-GCM key for template files, 64 hex digits; null = no enrolment",
    )
    template_dir: str = Field("faces", description="encrypted templates (under data_dir)")
    consent_version: str = Field("2026-01", min_length=1, max_length=32)
    liveness: LivenessConfig = LivenessConfig()

    @model_validator(mode="after")
    def _dnn_needs_models(self) -> FaceSection:
        if self.engine == "dnn" and not (self.dnn.detector_model and self.dnn.recognizer_model):
            raise ValueError("face.dnn: engine dnn needs detector_model and recognizer_model")
        return self


class ShiftConfig(_Section):
    """Working hours attendance is measured against (考勤班次)."""

    start: HHMM = "09:00"
    end: HHMM = "17:00"


class FaceTerminalConfig(_Section):
    """A window terminal that matches faces locally and checks staff in (device token)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,32}$")
    token: str = Field(min_length=8)
    windows: list[int] = Field(min_length=1, description="windows this terminal stands at")


class AttendanceSection(_Section):
    """考勤: shift, the seeds' late/early/absent rules and the face terminals."""

    shift: ShiftConfig = ShiftConfig()
    late_after_min: int = Field(15, ge=0, description="check-in more than this late: late")
    early_before_min: int = Field(15, ge=0, description="check-out more than this early: early")
    absent_after_min: int = Field(30, ge=0, description="more than this late or early: absent")
    terminals: list[FaceTerminalConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> AttendanceSection:
        for field in ("name", "token"):
            values = [getattr(t, field) for t in self.terminals]
            if len(set(values)) != len(values):
                raise ValueError(f"attendance.terminals: a terminal {field} is used twice")
        if self.absent_after_min < max(self.late_after_min, self.early_before_min):
            raise ValueError("attendance.absent_after_min: must not be below late/early limits")
        return self

    def terminal(self, name: str) -> FaceTerminalConfig | None:
        """The terminal with this name, or None."""
        return next((t for t in self.terminals if t.name == name), None)
