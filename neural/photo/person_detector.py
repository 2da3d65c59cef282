"""Person keypoints and mask from mediapipe's BlazePose (runs offline, CPU).

Image frame: pixels, origin at the top-left, u to the right, v down. The photo stays in memory:
nothing here writes it anywhere.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from neural.errors import InputError
from neural.photo.signature import PersonSignature
from neural.quiet import native_stderr_silenced

# BlazePose landmark indices used for validation.
NOSE, LEFT_ANKLE, RIGHT_ANKLE, LEFT_HEEL, RIGHT_HEEL = 0, 27, 28, 29, 30
MIN_VISIBILITY = 0.5
MAX_PIXELS = 40_000_000
MIN_SIDE_PX = 64  # smaller images hold no usable person (and break the pose detector)


@dataclass(frozen=True)
class PersonObservation:
    """What the detector saw of one person in a photo."""

    width: int
    height: int
    keypoints_px: np.ndarray  # (33, 2) BlazePose landmarks in pixels
    visibility: np.ndarray  # (33,) in [0, 1]
    mask: np.ndarray  # (height, width) float32 person probability in [0, 1]
    photo_sha256: str
    people_in_photo: int = 1  # people the detector found; the largest one was used
    signature: PersonSignature | None = None  # clothing colours and proportions (no pixels)
    labels: np.ndarray | None = None  # (H', W') uint8 pixel_labels.LABELS, any resolution

    @property
    def notes(self) -> list[str]:
        """Plain-language remarks on the detection, for the user."""
        if self.people_in_photo > 1:
            return [f"{self.people_in_photo} people in the photo; used the largest one"]
        return []


def load_photo(path: str | os.PathLike) -> tuple[np.ndarray, str]:
    """Read an image file once: an upright RGB uint8 array (EXIF orientation applied;
    transparent pixels become black) and the hex SHA-256 of the file's bytes."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"photo not found: {path}")
    return decode_photo(path.read_bytes(), str(path))


def decode_photo(payload: bytes, name: str) -> tuple[np.ndarray, str]:
    """``load_photo`` for an image held in memory (``name`` names it in errors); one of more
    than ``MAX_PIXELS``, or under ``MIN_SIDE_PX`` a side, is refused from its header, before it
    is decoded."""
    import hashlib
    import io

    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(payload)) as image:
            _check_size(image, name)
            image = ImageOps.exif_transpose(image)
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                black = Image.new("RGBA", image.size, (0, 0, 0, 255))
                image = Image.alpha_composite(black, image)
            return np.asarray(image.convert("RGB")), hashlib.sha256(payload).hexdigest()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise InputError(f"not a readable image: {name}") from error


def check_photo(payload: bytes, name: str) -> None:
    """``decode_photo``'s refusals from the image's header alone (a few milliseconds, nothing
    decoded): not an image, too large, too small."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(payload)) as image:
            _check_size(image, name)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise InputError(f"not a readable image: {name}") from error


def _check_size(image, name: str) -> None:
    if image.width * image.height > MAX_PIXELS:
        raise InputError(f"photo is too large ({image.width}x{image.height}): {name}")
    if min(image.width, image.height) < MIN_SIDE_PX:
        raise InputError(f"photo is too small ({image.width}x{image.height}; at least "
                         f"{MIN_SIDE_PX} px a side): {name}")


def detect_person(path: str | os.PathLike) -> PersonObservation:
    """Detect one standing person, whole from head to feet, in the photo at ``path``."""
    with PersonDetector() as detector:
        return detector.observe_file(path)


_KEPT: dict[str, "PersonDetector | None"] = {}  # "detector": this process's kept one, if wanted


def keep_detector() -> None:
    """Keep an opened detector in this process (a warm engine's) for ``open_detector``, so
    that its photos pay for detection, not for loading the models (about 0.2 s here)."""
    if _KEPT.get("detector") is None:
        _KEPT["detector"] = PersonDetector().__enter__()


@contextlib.contextmanager
def open_detector() -> Iterator["PersonDetector"]:
    """An opened ``PersonDetector``: the process's kept one (``keep_detector``), else one of its
    own, closed after the block. A kept one whose block fails is closed and opened again."""
    if "detector" not in _KEPT:
        with PersonDetector() as detector:
            yield detector
        return
    keep_detector()
    detector = _KEPT["detector"]
    try:
        yield detector
    except BaseException:  # a graph that failed may stay failed: the next block opens anew
        _KEPT["detector"] = None
        with contextlib.suppress(RuntimeError):
            detector.__exit__(None, None, None)
        raise


class PersonDetector:
    """mediapipe BlazePose, loaded once for many images: its person detector finds everyone in
    the photo, then its landmark model (full, with segmentation) runs on the region of the
    largest person, so a small or off-centre person is seen at full detail and the other people
    are ignored."""

    def __enter__(self) -> "PersonDetector":
        with native_stderr_silenced():  # TensorFlow Lite's and absl's start-up lines
            self.graphs = [_graph(FIND_PEOPLE, ["detections"]),
                           _graph(LANDMARKS_IN_REGION, ["landmarks", "segmentation_mask"],
                                  {"model_complexity": 1, "enable_segmentation": True})]
            # each model logs its delegate on its first run, from a thread of its own: run both
            # once here, so that no such line can reach stderr later (a graph never run would
            # log it on closing)
            blank = np.zeros((64, 64, 3), np.uint8)
            self.graphs[0].process({"image": blank})
            self.graphs[1].process({"image": blank, "roi": DetectedPerson(
                centre_px=(32.0, 32.0), extent_px=(32.0, 8.0), score=1.0).region(64, 64)})
        return self

    def __exit__(self, *exc) -> None:
        for graph in self.graphs:
            try:
                graph.close()
            except RuntimeError:  # a graph that failed on an image repeats its error here
                if exc[0] is None:
                    raise

    def find_people(self, rgb: np.ndarray) -> list[DetectedPerson]:
        """Everyone BlazePose's detector finds in an RGB uint8 image. The detector sees the image
        at 224 px, so when it finds nobody, it looks again at nine overlapping quarters (people
        down to about a sixth of the frame's height)."""
        height, width = rgb.shape[:2]
        people = self._detect(rgb, 0, 0)
        if not people:
            for left, top in _quarter_windows(width, height):
                window = rgb[top:top + height // 2, left:left + width // 2]
                people += self._detect(np.ascontiguousarray(window), left, top)
            people = _distinct(people)
        return people

    def _detect(self, rgb: np.ndarray, left: int, top: int) -> list[DetectedPerson]:
        height, width = rgb.shape[:2]
        people = []
        try:
            detections = self.graphs[0].process({"image": rgb}).detections or []
        except RuntimeError as error:  # mediapipe refuses some image shapes
            raise InputError(f"the pose detector cannot read an image of {width}x{height} "
                             "px") from error
        for detection in detections:
            points = detection.location_data.relative_keypoints
            centre, extent = ([left + points[i].x * width, top + points[i].y * height]
                              for i in (0, 1))
            people.append(DetectedPerson(centre_px=(centre[0], centre[1]),
                                         extent_px=(extent[0], extent[1]),
                                         score=float(detection.score[0])))
        return [p for p in people if p.score >= MIN_DETECTION_SCORE]

    def observe_file(self, path: str | os.PathLike) -> PersonObservation:
        """``observe`` on the photo at ``path`` (decoded in memory only)."""
        rgb, sha256 = load_photo(path)
        return self.observe(rgb, str(path), sha256)

    def observe(self, rgb: np.ndarray, source: str, sha256: str = "") -> PersonObservation:
        """Keypoints, mask and (with the segmenter's weights) pixel labels of the largest person
        in an RGB uint8 image; ``source`` names it in errors."""
        from neural.photo.signature import person_signature
        from neural.segmenter.predict import segment_person

        height, width = rgb.shape[:2]
        with native_stderr_silenced():  # the models' first run logs their delegates
            people = self.find_people(rgb)
            person = max(people, key=lambda p: p.radius_px) if people else None
            result = person and self.graphs[1].process(
                {"image": rgb, "roi": person.region(width, height)})
        if not people:
            raise InputError(f"no person found in the photo: {source}")
        if result.landmarks is None or result.segmentation_mask is None:
            raise InputError(f"no person found in the photo: {source}")
        landmarks = result.landmarks.landmark
        keypoints = np.array([[lm.x * width, lm.y * height] for lm in landmarks])
        visibility = np.array([lm.visibility for lm in landmarks])
        _require_whole_body(keypoints, visibility, width, height, source)
        mask = np.asarray(result.segmentation_mask, dtype=np.float32)
        seen = PersonObservation(
            width=width, height=height, keypoints_px=keypoints, visibility=visibility, mask=mask,
            photo_sha256=sha256, people_in_photo=len(people),
            signature=person_signature(rgb, keypoints, mask))
        return dataclasses.replace(seen, labels=segment_person(rgb, seen))


MIN_DETECTION_SCORE = 0.5
REGION_SCALE = 1.25  # BlazePose's own margin around the detected body circle
# mediapipe graphs built from the subgraphs compiled into the mediapipe wheel (no download)
FIND_PEOPLE = """
input_stream: "image"
output_stream: "detections"
node { calculator: "PoseDetectionCpu" input_stream: "IMAGE:image"
       output_stream: "DETECTIONS:detections" }
"""
LANDMARKS_IN_REGION = """
input_stream: "image"
input_stream: "roi"
output_stream: "landmarks"
output_stream: "segmentation_mask"
node { calculator: "PoseLandmarkByRoiCpu" input_stream: "IMAGE:image" input_stream: "ROI:roi"
       input_side_packet: "MODEL_COMPLEXITY:model_complexity"
       input_side_packet: "ENABLE_SEGMENTATION:enable_segmentation"
       output_stream: "LANDMARKS:landmarks" output_stream: "SEGMENTATION_MASK:segmentation_mask" }
"""


def _quarter_windows(width: int, height: int) -> list[tuple[int, int]]:
    """Top-left corners of 3 x 3 half-size windows, overlapping by half."""
    return [(i * width // 4, j * height // 4) for j in range(3) for i in range(3)]


def _distinct(people: list[DetectedPerson]) -> list[DetectedPerson]:
    """Drop detections of a person already found (centres within half a body radius)."""
    kept: list[DetectedPerson] = []
    for person in sorted(people, key=lambda p: -p.score):
        if all(np.hypot(person.centre_px[0] - k.centre_px[0], person.centre_px[1] - k.centre_px[1])
               > 0.5 * k.radius_px for k in kept):
            kept.append(person)
    return kept


def _graph(text: str, outputs: list[str], side_inputs: dict | None = None):
    from google.protobuf import text_format
    from mediapipe.framework import calculator_pb2
    from mediapipe.python.solution_base import SolutionBase

    config = text_format.Parse(text, calculator_pb2.CalculatorGraphConfig())
    return SolutionBase(graph_config=config, side_inputs=side_inputs, outputs=outputs)


@dataclass(frozen=True)
class DetectedPerson:
    """One person found by BlazePose's detector (pixels): the hip centre and a point on the
    circle that holds the whole body."""

    centre_px: tuple[float, float]
    extent_px: tuple[float, float]
    score: float

    @property
    def radius_px(self) -> float:
        return float(np.hypot(self.extent_px[0] - self.centre_px[0],
                              self.extent_px[1] - self.centre_px[1]))

    def region(self, width: int, height: int):
        """The square region (mediapipe NormalizedRect) the landmark model looks at, turned so
        the body stands upright in it."""
        from mediapipe.framework.formats import rect_pb2

        du, dv = self.extent_px[0] - self.centre_px[0], self.extent_px[1] - self.centre_px[1]
        rotation = np.pi / 2 - np.arctan2(-dv, du)
        rotation = (rotation + np.pi) % (2 * np.pi) - np.pi
        side = 2.0 * self.radius_px * REGION_SCALE
        return rect_pb2.NormalizedRect(
            x_center=self.centre_px[0] / width, y_center=self.centre_px[1] / height,
            width=side / width, height=side / height, rotation=float(rotation))


def _require_whole_body(
    keypoints: np.ndarray, visibility: np.ndarray, width: int, height: int, source: str
) -> None:
    """Refuse photos where the head or the feet are not visible inside the frame."""
    if visibility[NOSE] < MIN_VISIBILITY:
        raise InputError(f"the person's face is not visible in the photo: {source}")
    feet = [LEFT_ANKLE, RIGHT_ANKLE, LEFT_HEEL, RIGHT_HEEL]
    u, v = keypoints[feet].T
    inside = (u >= 0) & (u < width) & (v >= 0) & (v < height - 1)
    # in a side view the far foot is hidden: one clearly seen foot is enough
    if not inside.all() or visibility[feet].max() < MIN_VISIBILITY:
        raise InputError(
            f"the person's feet are cut off or hidden; a full-body photo is needed: {source}"
        )
