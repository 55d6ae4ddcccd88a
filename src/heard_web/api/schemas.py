"""What the API sends and accepts: one schema per resource, shared by its routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

# Ids are database keys: anything outside a 64-bit key cannot exist (and would crash the query).
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# No NUL characters: PostgreSQL cannot store them in text, so they are refused up front.
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, StringConstraints(pattern=NO_NUL)]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)
]
Slug = Annotated[str, StringConstraints(max_length=80, pattern=NO_NUL)]


class OrganisationOut(Schema):
    slug: str
    name: str


class ProjectOut(Schema):
    slug: str
    name: str
    description: str
    organisation: OrganisationOut
    role: Literal["owner", "analyst", "viewer"] = Field(
        description="Your role in the project: viewers read, analysts import and analyse, "
        "owners manage members and settings."
    )
    created_at: datetime
    stories_count: int = Field(
        description="The stories your role may see (viewers: approved in moderation; "
        "analysts: all but those flagged as a safeguarding concern; owners: all)."
    )
    sources_count: int
    latest_run_id: int | None = Field(description="The newest analysis run, if any.")


class SourceOut(Schema):
    id: int
    name: str
    kind: Literal["import", "form", "interviews", "api"]
    columns: dict[str, Any]
    created_at: datetime
    stories_count: int


class SourceIn(Schema):
    name: Name
    kind: Literal["api", "interviews", "form", "import"] = "api"


class StoryThemeOut(Schema):
    id: int
    key: str
    label: str
    primary: bool
    score: float


class StoryOut(Schema):
    """A story as the API gives it: redacted text, and only when it may be quoted."""

    id: int
    source_id: int
    external_id: str
    text: str | None = Field(
        description="The redacted text (personal data replaced by [NAME], [PHONE]...), only "
        "when its author agreed to be quoted and moderation approved it; otherwise null, and "
        "text_withheld says why. The words of other stories stay in the workspace."
    )
    text_withheld: Literal["no_quote_consent", "not_approved"] | None = Field(
        None,
        description="Why text is null: the author did not agree to be quoted "
        "(no_quote_consent), or the story is not approved in moderation (not_approved).",
    )
    attributes: dict[str, Any]
    received_at: datetime | None
    created_at: datetime
    sentiment: str
    sentiment_score: float | None
    score: float | None = Field(
        None, description="How close the story is to the semantic query (semantic search only)."
    )


class StoryDetailOut(StoryOut):
    redaction_counts: dict[str, int] = Field(
        description="What redaction replaced, by kind (no values), e.g. {'NAME': 2}."
    )
    consent_quote: bool
    moderation: str
    themes: list[StoryThemeOut]


class StoryPage(Schema):
    count: int | None = Field(description="How many stories match (null for semantic search).")
    limit: int
    offset: int
    next_offset: int | None = Field(
        description="Pass as offset for the next page; null at the end."
    )
    items: list[StoryOut]


class StoryIn(Schema):
    text: Annotated[str, StringConstraints(min_length=1, max_length=100_000, pattern=NO_NUL)] = (
        Field(description="The text as written; it is redacted before it is stored.")
    )
    external_id: Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)] = ""
    attributes: dict[
        Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)],
        Annotated[str, StringConstraints(max_length=1000, pattern=NO_NUL)]
        | int
        | float
        | bool
        | None,
    ] = Field(
        default_factory=dict, description="Segments, e.g. {'role': 'adopter', 'area': 'North'}."
    )
    received_at: datetime | None = Field(None, description="When it was said (ISO 8601).")


class StoriesIn(Schema):
    source_id: Id = Field(description="The source the stories belong to (see /sources).")
    stories: list[StoryIn] = Field(min_length=1, max_length=1000)


class StoriesAddedOut(Schema):
    added: int
    duplicates: int = Field(description="Stories skipped because the project already has them.")
    empty: int = Field(description="Stories skipped because their text was blank.")
    story_ids: list[int] = Field(description="The ids of the stories added.")


class RunOut(Schema):
    id: int
    status: Literal["pending", "running", "succeeded", "failed"]
    progress: float = Field(description="0 to 1.")
    stage: str
    error_message: str
    stories_count: int
    previous_run_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ThemeOut(Schema):
    id: int
    key: str = Field(description="Stable across runs: '3', '3.2', 'none'.")
    kind: str
    label: str
    machine_label: str
    key_phrases: list[Any]
    size: int = Field(description="Stories whose main theme this is.")
    mentions: int = Field(description="Stories assigned to it at all.")
    share: float
    sentiment_mix: dict[str, Any]
    pinned: bool
    renamed: bool
    parent_id: int | None


class ThemeTreeOut(ThemeOut):
    children: list[ThemeOut]


class ThemeListOut(Schema):
    run: RunOut | None = Field(description="The run the themes come from; null before any run.")
    themes: list[ThemeTreeOut]


class QuoteOut(Schema):
    story_id: int
    text: str = Field(description="Redacted; only stories whose consent allows quoting.")
    rank: int = Field(description="1 for the most representative, then 2, 3...")


class ThemeDetailOut(ThemeTreeOut):
    run_id: int
    quotes: list[QuoteOut]


class RenameIn(Schema):
    label: Name


class PinIn(Schema):
    pinned: bool = True


class MergeIn(Schema):
    theme_ids: list[Id] = Field(min_length=1, max_length=100, description="The themes to merge.")
    into: Id = Field(description="The theme they join.")
