"""config.yaml's ``face:`` section: the face engine, its thresholds, templates and liveness."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hall.config.base import _Section


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
