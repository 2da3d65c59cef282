"""The storefront API's request and response bodies, declared once: the routes validate
requests against them before they run (a body, form or query outside a documented limit is
refused with 400 by the model), and the OpenAPI document at /v1/openapi.json is generated from
them (``openapi``). Units: centimetres; ids are opaque strings."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field
from spectree.model_adapter.pydantic_adapter import PydanticModelAdapter

from neural.stage_files import MeasurementConfidence
from neural.stages import MAX_HEIGHT_CM, MIN_HEIGHT_CM
from recommender.catalog import CATEGORIES
from recommender.storefront_data import EVENT_TYPES

MAX_ID = 100  # characters of a shopper or item id
MAX_K = 20  # items in one recommendation answer
MAX_SIZE = 20  # characters of a size name

Id = Annotated[str, Field(min_length=1, max_length=MAX_ID)]
FileLinks = dict[str, str]  # file name -> its /v1 URL
Upload = PydanticModelAdapter.basefile  # a multipart file part, read in memory


class ErrorDetail(BaseModel):
    status: int
    code: str = Field(description="machine-readable, e.g. not_found, bad_request")
    message: str = Field(description="one line for a person, in the language asked for "
                                     "(``lang``, else Accept-Language)")
    detail: str | None = Field(None, description="the English message, where the language "
                                                 "asked for could only give a general text")


class Error(BaseModel):
    """Every error answer: ``{"error": {"status", "code", "message"}}``."""

    error: ErrorDetail


class Price(BaseModel):
    amount: float
    currency: str = Field(description="ISO 4217, e.g. EUR")


class Garment(BaseModel):
    id: str
    name: str = Field(description="in the language asked for (``lang``, else Accept-Language) "
                                  "where the catalog has it")
    pattern: str = Field(description="the garment kind its sewing pattern is built from")
    category: Literal[CATEGORIES] = Field(  # type: ignore[valid-type]
        description="where it is worn in an outfit (full: a dress, top and bottom at once)")
    fabric: str
    color: list[float] = Field(description="linear RGB, 0-1")
    sizes: list[str]
    url: str | None = Field(None, description="its product page")
    price: Price | None = None
    images: FileLinks = Field(description="pattern: its sewing pattern as a flat sheet; "
                                          "picture: the catalog's picture, else the pattern")


class Garments(BaseModel):
    garments: list[Garment]


class AvatarPhotos(BaseModel):
    """multipart/form-data: the photos are read in memory and never stored."""

    front: Upload = Field(description="whole-body photo from the front: JPEG, PNG or WebP")
    side: Upload | None = Field(None, description="optional photo from the side")
    height_cm: float = Field(ge=MIN_HEIGHT_CM, le=MAX_HEIGHT_CM,
                             description="the person's height")


class PhotoToCheck(BaseModel):
    """multipart/form-data: the photo is read in memory and never stored."""

    photo: Upload = Field(description="a whole-body photo: JPEG, PNG or WebP")
    view: Literal["front", "side"] = Field("front", description="which photo it is")


class PhotoChecked(BaseModel):
    usable: bool = Field(description="always true: an unusable photo is answered with an error "
                                     "that says why (422 unusable_photo, 400, 413, 415)")


class AvatarProblem(BaseModel):
    status: int = Field(description="the HTTP status the upload would have been refused with")
    code: str
    message: str
    detail: str | None = Field(None, description="the English message, where it is translated")


class Avatar(BaseModel):
    id: str
    state: Literal["fitting", "ready", "failed"] = Field(
        description="fitting while the photos are read (poll GET /v1/avatars/{id}); then ready "
                    "with the body's measurements, or failed with the reason")
    height_cm: float | None = None
    measurements_cm: dict[str, float] | None = None
    measurement_confidence: dict[str, MeasurementConfidence] | None = None
    notes: list[str] | None = Field(None, description="what the fit noticed in the photos")
    error: AvatarProblem | None = None


class FitQueue(BaseModel):
    fits_waiting: int = Field(description="avatars still fitting, in every server process: the "
                                          "queue to scale the fit engines by")


class Event(BaseModel):
    shopper: Id
    item: Id = Field(description="a garment id")
    type: Literal[EVENT_TYPES]  # type: ignore[valid-type]
    avatar: str | None = Field(None, max_length=MAX_ID, description="the shopper's avatar")
    context: dict = Field(default_factory=dict, description="free-form, stored with the event")


class Recorded(BaseModel):
    id: int


class RecommendationQuery(BaseModel):
    shopper: Id
    k: int = Field(5, ge=1, le=MAX_K, description="how many items")
    avatar: str | None = Field(None, max_length=MAX_ID)


class Recommended(BaseModel):
    item: str
    propensity: float = Field(description="the probability the policy gave the item")


class Recommendations(BaseModel):
    policy: str = Field(description="the policy that answered this shopper")
    items: list[Recommended]


SizeAsked = Annotated[str, Field(min_length=1, max_length=MAX_SIZE)]


class OutfitItem(BaseModel):
    garment: Id
    size: SizeAsked = Field("advise", description="a size of the garment, or 'advise': the "
                                                  "size its chart gives the avatar")


class TryOnRequest(BaseModel):
    avatar: Id
    garment: Id | None = Field(None, description="one garment (or ``garments``: an outfit)")
    size: SizeAsked = Field("advise", description="a size of the garment, or 'advise': the "
                                                  "chart's size and those either side of it "
                                                  "are draped, and the advice is the smallest "
                                                  "tight nowhere")
    garments: list[OutfitItem] | None = Field(
        None, min_length=2, max_length=3,
        description="an outfit, in any order: at most a bottom, a top and an outer garment (a "
                    "dress stands for both of the first); draped in dressing order, each over "
                    "the one below, and shown as the outermost garment's try-on")


class SizeDraped(BaseModel):
    size: str
    fit: dict = Field(description="quality gates, per sizing girth its ease and verdict, score")
    files: FileLinks = Field(description="its pictures and 3D model; none when ``no_picture``")
    no_picture: str | None = Field(None, description="why this size has no picture: its drape "
                                                     "failed (the size is still advised on)")


class Advice(BaseModel):
    size: str
    reason: str
    chart_size: str = Field(description="the size the chart alone gives")
    span: dict | None = Field(None, description="sizes the measurements' intervals reach")


class Layer(BaseModel):
    garment: str
    size: str
    drape_failed: str | None = Field(None, description="why its drape failed, once draped")


class TryOn(BaseModel):
    id: str
    avatar: str
    garment: str
    size: str = Field(description="the size shown: asked for, or advised once done")
    size_advised: bool
    state: Literal["queued", "running", "done", "failed"]
    progress: float = Field(ge=0, le=1)
    error: str | None
    files: FileLinks
    no_picture: str | None = Field(None, description="why the size shown has no picture")
    fit: dict | None = Field(None, description="of the size shown, once done")
    sizes: list[SizeDraped] | None = Field(None, description="each size draped, smallest first")
    advice: Advice | None = Field(None, description="with 'advise', once done")
    outfit: list[Layer] | None = Field(None, description="an outfit's garments, dressing order "
                                                         "(the last is ``garment``)")


MAX_SHARE_DAYS = 365


class ShareRequest(BaseModel):
    days: float = Field(30.0, gt=0, le=MAX_SHARE_DAYS, description="how long the link works")


class Share(BaseModel):
    url: str = Field(description="a page showing the try-on's pictures and 3D model to anyone "
                                 "with the link: no measurements, photo or account data")
    expires_at: str = Field(description="when the link stops working, ISO 8601 UTC")


MAX_EPSILON = 10.0  # privacy loss one insights answer may spend


class InsightsQuery(BaseModel):
    garment: Id
    epsilon: float = Field(1.0, gt=0, le=MAX_EPSILON,
                           description="privacy loss this answer spends of the budget: "
                                       "smaller is more private and noisier")


class SizeInsights(BaseModel):
    garment: str
    sizes: dict[str, int | None] = Field(description="shoppers advised or shown each size "
                                                     "(None: fewer than min_group)")
    verdicts: dict[str, dict[str, int | None]] = Field(
        description="per sizing girth, shoppers whose size was tight, fits or loose there")
    returns: dict[str, int | None] = Field(description="shoppers who returned each size")
    epsilon: float
    epsilon_left: float = Field(description="what is left of the storefront's budget")
    min_group: int
    guarantee: str
