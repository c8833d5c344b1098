"""The simulator's HTTP API: OpenAI-shape `/v1/videos`, OpenRouter `/api/v1/videos`, control.

Validation and error envelopes follow the real services (see shared/api/CONTRACTS.md) so that a
client that works here works there. Control routes under `/_sim` are loopback-only.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from studio.sim.catalog import MODELS, SimModel, openrouter_model_entry, pixel_size
from studio.sim.faults import FaultMiddleware, FaultPlan
from studio.sim.state import SimJob, SimState

MAX_PROMPT = 10_000
MAX_REFERENCE_BYTES = 20 * 1024 * 1024
CONTENT_TYPES = {"video": "video/mp4", "thumbnail": "image/webp", "spritesheet": "image/jpeg"}
FILES = {"video": "video.mp4", "thumbnail": "thumbnail.webp", "spritesheet": "spritesheet.jpg"}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type_: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.type = (
            status,
            message,
            param,
            code,
            type_,
        )


def _error_response(request: Request, err: ApiError) -> JSONResponse:
    if request.url.path.startswith("/api/"):  # OpenRouter envelope: numeric code
        body: dict[str, Any] = {"error": {"code": err.status, "message": err.message}}
    else:
        body = {
            "error": {
                "message": err.message,
                "type": err.type,
                "param": err.param,
                "code": err.code,
            }
        }
    return JSONResponse(body, status_code=err.status)


def build_app(state: SimState, plan: FaultPlan | None = None) -> FaultMiddleware:
    plan = plan or FaultPlan(state.config.seed)
    api = _Api(state, plan)
    routes = [
        Route("/v1/models", api.openai_models, methods=["GET"]),
        Route("/v1/videos", api.openai_create, methods=["POST"]),
        Route("/v1/videos", api.openai_list, methods=["GET"]),
        Route("/v1/videos/{vid}", api.openai_retrieve, methods=["GET"]),
        Route("/v1/videos/{vid}", api.openai_delete, methods=["DELETE"]),
        Route("/v1/videos/{vid}/remix", api.openai_remix, methods=["POST"]),
        Route("/v1/videos/{vid}/content", api.openai_content, methods=["GET"]),
        Route("/api/v1/videos/models", api.or_models, methods=["GET"]),
        Route("/api/v1/videos", api.or_create, methods=["POST"]),
        Route("/api/v1/videos/{vid}", api.or_retrieve, methods=["GET"]),
        Route("/api/v1/videos/{vid}/content", api.or_content, methods=["GET"]),
        Route("/_sim/health", api.health, methods=["GET"]),
        Route("/_sim/stats", api.stats, methods=["GET"]),
        Route("/_sim/faults", api.set_faults, methods=["POST", "DELETE"]),
        Route("/_sim/config", api.config, methods=["GET", "POST"]),
        Route("/_sim/clock", api.clock, methods=["POST"]),
        Route("/_sim/reset", api.reset, methods=["POST"]),
        Route("/_sim/jobs/{vid}/status", api.force_status, methods=["POST"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.resume_renders()  # jobs from a state file whose render was cut off
        yield

    app = Starlette(routes=routes, lifespan=lifespan)
    return FaultMiddleware(app, state, plan)


def _handler(fn: Any) -> Any:
    """Turn `ApiError`s into error envelopes and check the bearer token on API routes."""

    async def wrapped(self: _Api, request: Request) -> Response:
        try:
            if not request.url.path.startswith("/_sim"):
                self.authorize(request)
            result: Response = await fn(self, request)
            return result
        except ApiError as err:
            return _error_response(request, err)
        except ClientDisconnect:  # the client went away mid-request (killed, timed out)
            return Response(status_code=499)

    wrapped.__name__ = fn.__name__
    return wrapped


class _Api:
    def __init__(self, state: SimState, plan: FaultPlan) -> None:
        self.state = state
        self.plan = plan

    def authorize(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ApiError(
                401,
                "You didn't provide an API key. Provide it in the Authorization "
                "header as 'Bearer YOUR_KEY'.",
                code="missing_api_key",
            )
        if token.strip() not in self.state.config.api_keys:
            raise ApiError(401, "Incorrect API key provided.", code="invalid_api_key")

    def job(self, vid: str) -> SimJob:
        job = self.state.jobs.get(vid)
        if job is None:
            raise ApiError(404, f"Video '{vid}' not found.", code="not_found")
        return job

    def model(self, name: Any) -> SimModel:
        if not isinstance(name, str) or name not in MODELS:
            raise ApiError(
                400,
                f"Invalid value for 'model': {name!r}. Supported values are: {', '.join(MODELS)}.",
                param="model",
                code="invalid_value",
            )
        return MODELS[name]

    def prompt(self, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ApiError(
                400,
                "Missing required parameter: 'prompt'.",
                param="prompt",
                code="missing_required_parameter",
            )
        if len(value) > MAX_PROMPT:
            raise ApiError(
                400,
                f"'prompt' is too long ({len(value)} > {MAX_PROMPT}).",
                param="prompt",
                code="string_above_max_length",
            )
        return value

    def create_job(
        self,
        request: Request,
        shape: Any,
        *,
        model: SimModel,
        prompt: str,
        size: str,
        seconds: int,
        audio: bool = False,
        seed: int | None = None,
        reference: bytes | None = None,
        remixed_from: str | None = None,
    ) -> SimJob:
        key = request.headers.get("idempotency-key")
        digest = hashlib.sha256(
            repr((model.id, prompt, size, seconds, audio, seed, reference, remixed_from)).encode()
        ).hexdigest()
        if key and self.state.config.honour_idempotency:
            existing = self.state.find_by_key(key)
            if existing is not None:
                if existing.request_digest and existing.request_digest != digest:
                    # As Stripe-style providers do: one key, one request.
                    raise ApiError(
                        422,
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with.",
                        code="idempotency_key_reused",
                    )
                return existing
        outcome = getattr(request.state, "sim_outcome", None)
        if self.state.moderated(prompt):
            outcome = "moderation_blocked"
        job = SimJob(
            id=self.state.new_id(shape),
            shape=shape,
            model=model.id,
            prompt=prompt,
            size=size,
            seconds=seconds,
            created_at=self.state.now(),
            render_seconds=self.state.config.render_seconds,
            audio=audio,
            seed=seed,
            idem_key=key,
            request_digest=digest,
            remixed_from=remixed_from,
            has_reference=reference is not None,
            outcome=outcome,
        )
        return self.state.add(job, reference)

    # ---- OpenAI shape ------------------------------------------------------------------

    def video_object(self, job: SimJob) -> dict[str, Any]:
        view = self.state.view(job)
        error = None
        if view["error"]:
            error = {"code": view["error"][0], "message": view["error"][1]}
        status = view["status"]
        return {
            "id": job.id,
            "object": "video",
            "status": status,
            "progress": view["progress"],
            "created_at": int(job.created_at),
            "completed_at": _int(view["completed_at"]),
            "expires_at": _int(view["expires_at"]),
            "model": job.model,
            "seconds": str(job.seconds),
            "size": job.size,
            "prompt": job.prompt,
            "remixed_from_video_id": job.remixed_from,
            "error": error,
        }

    @_handler
    async def openai_create(self, request: Request) -> Response:
        reference: bytes | None = None
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data"):
            async with request.form(max_part_size=MAX_REFERENCE_BYTES) as form:
                fields: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
                upload = form.get("input_reference")
                if isinstance(upload, UploadFile):
                    reference = await upload.read()
            if reference is not None:
                _check_image(reference, "input_reference")
        else:
            fields = await _json_body(request)
            ref = fields.get("input_reference")
            if isinstance(ref, dict) and isinstance(ref.get("image_url"), str):
                reference = _data_url(ref["image_url"], "input_reference")
        model = self.model(fields.get("model", "sim-fast"))
        prompt = self.prompt(fields.get("prompt"))
        seconds_raw = fields.get("seconds", "4")
        allowed_s = [str(d) for d in model.durations]
        if not isinstance(seconds_raw, str) or seconds_raw not in allowed_s:
            raise ApiError(
                400,
                f"Invalid value for 'seconds': {seconds_raw!r}. Supported values "
                f"are: {', '.join(repr(s) for s in allowed_s)}.",
                param="seconds",
                code="invalid_value",
            )
        size = fields.get("size", model.sizes[0])
        if size not in model.sizes:
            raise ApiError(
                400,
                f"Invalid value for 'size': {size!r}. Supported values are: "
                f"{', '.join(model.sizes)}.",
                param="size",
                code="invalid_value",
            )
        job = self.create_job(
            request,
            "openai",
            model=model,
            prompt=prompt,
            size=size,
            seconds=int(seconds_raw),
            audio=model.audio,
            reference=reference,
        )
        return JSONResponse(self.video_object(job))

    @_handler
    async def openai_list(self, request: Request) -> Response:
        if not self.state.config.list_endpoint:
            raise ApiError(404, "Invalid URL (GET /v1/videos)", type_="invalid_request_error")
        q = request.query_params
        try:
            limit = int(q.get("limit", "20"))
        except ValueError:
            raise ApiError(400, "'limit' must be an integer.", param="limit") from None
        if not 1 <= limit <= 100:
            raise ApiError(400, "'limit' must be between 1 and 100.", param="limit")
        order = q.get("order", "desc")
        if order not in ("asc", "desc"):
            raise ApiError(400, "'order' must be 'asc' or 'desc'.", param="order")
        jobs = sorted(
            (j for j in self.state.jobs.values() if j.shape == "openai"),
            key=lambda j: j.seq,
            reverse=order == "desc",
        )
        after = q.get("after")
        if after:
            ids = [j.id for j in jobs]
            if after not in ids:
                raise ApiError(
                    400, f"'after' cursor '{after}' is not a known video id.", param="after"
                )
            jobs = jobs[ids.index(after) + 1 :]
        page = [self.video_object(j) for j in jobs[:limit]]
        return JSONResponse(
            {
                "object": "list",
                "data": page,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
                "has_more": len(jobs) > limit,
            }
        )

    @_handler
    async def openai_retrieve(self, request: Request) -> Response:
        return JSONResponse(self.video_object(self.job(request.path_params["vid"])))

    @_handler
    async def openai_delete(self, request: Request) -> Response:
        vid = request.path_params["vid"]
        self.job(vid)
        self.state.delete(vid)
        return JSONResponse({"id": vid, "object": "video.deleted", "deleted": True})

    @_handler
    async def openai_remix(self, request: Request) -> Response:
        source = self.job(request.path_params["vid"])
        body = await _json_body(request)
        prompt = self.prompt(body.get("prompt"))
        model = MODELS[source.model]
        if not model.remix:
            raise ApiError(400, f"Model '{model.id}' does not support remix.", code="invalid_value")
        if self.state.view(source)["status"] != "completed":
            raise ApiError(400, "Only a completed video can be remixed.", code="invalid_state")
        job = self.create_job(
            request,
            "openai",
            model=model,
            prompt=prompt,
            size=source.size,
            seconds=source.seconds,
            audio=source.audio,
            remixed_from=source.id,
        )
        return JSONResponse(self.video_object(job))

    @_handler
    async def openai_content(self, request: Request) -> Response:
        variant = request.query_params.get("variant", "video")
        if variant not in FILES:
            raise ApiError(
                400,
                f"Invalid value for 'variant': {variant!r}. Supported values are: "
                "'video', 'thumbnail', 'spritesheet'.",
                param="variant",
                code="invalid_value",
            )
        return self.content(self.job(request.path_params["vid"]), variant)

    def content(self, job: SimJob, variant: str) -> Response:
        view = self.state.view(job)
        if view["status"] == "expired" or (
            view["expires_at"] is not None and view["expires_at"] <= self.state.now()
        ):
            raise ApiError(
                404, f"The content of video '{job.id}' has expired.", code="video_expired"
            )
        if view["status"] != "completed":
            raise ApiError(
                400,
                f"Video '{job.id}' is not ready (status {view['status']}).",
                code="video_not_ready",
            )
        path = self.state.job_dir(job.id) / FILES[variant]
        return FileResponse(path, media_type=CONTENT_TYPES[variant])

    # ---- OpenRouter shape --------------------------------------------------------------

    def or_job(self, request: Request, job: SimJob) -> dict[str, Any]:
        view = self.state.view(job)
        status = {"queued": "pending"}.get(view["status"], view["status"])
        url = str(request.base_url).rstrip("/") + f"/api/v1/videos/{job.id}"
        out: dict[str, Any] = {
            "id": job.id,
            "polling_url": url,
            "status": status,
            "generation_id": "gen-" + job.id.removeprefix("vgen_"),
        }
        if view["error"]:
            out["error"] = f"{view['error'][0]}: {view['error'][1]}"
        if status == "completed":
            out["unsigned_urls"] = [url + "/content?index=0"]
            cost = MODELS[job.model].price_per_second(job.size) * job.seconds
            out["usage"] = {"cost": round(cost, 6), "is_byok": False}
        return out

    @_handler
    async def openai_models(self, request: Request) -> Response:
        """`GET /v1/models`, as the OpenAI API, LiteLLM and gateways answer it: which models
        this server serves (from the simulator's own catalogue)."""
        created = int(self.state.now()) - 86_400
        data = [
            {"id": m.id, "object": "model", "created": created, "owned_by": "studio-sim"}
            for m in MODELS.values()
        ]
        return JSONResponse({"object": "list", "data": data})

    @_handler
    async def or_models(self, request: Request) -> Response:
        created = int(self.state.now()) - 86_400
        return JSONResponse({"data": [openrouter_model_entry(m, created) for m in MODELS.values()]})

    @_handler
    async def or_create(self, request: Request) -> Response:
        body = await _json_body(request)
        if "model" not in body:
            raise ApiError(400, "'model' is required.")
        model = self.model(body["model"])
        prompt = self.prompt(body.get("prompt"))
        duration = body.get("duration", model.durations[0])
        if (
            isinstance(duration, bool)
            or not isinstance(duration, int)
            or duration not in model.durations
        ):
            raise ApiError(
                400,
                f"duration {duration!r} is not supported by {model.id}; "
                f"supported: {list(model.durations)}.",
            )
        size = body.get("size")
        if size is None:
            res = body.get("resolution", model.resolutions[0])
            aspect = body.get("aspect_ratio", model.aspect_ratios[0])
            if res not in model.resolutions or aspect not in model.aspect_ratios:
                raise ApiError(
                    400,
                    f"resolution {res!r} / aspect_ratio {aspect!r} is not "
                    f"supported by {model.id}; supported: {list(model.resolutions)} × "
                    f"{list(model.aspect_ratios)}.",
                )
            size = pixel_size(res, aspect)
        if size not in model.sizes:
            raise ApiError(
                400,
                f"size {size!r} is not supported by {model.id}; supported: {list(model.sizes)}.",
            )
        audio = body.get("generate_audio", model.audio)
        if audio and not model.audio:
            raise ApiError(400, f"{model.id} cannot generate audio.")
        seed = body.get("seed")
        if seed is not None and (not model.seed or not isinstance(seed, int)):
            raise ApiError(400, f"seed is not supported by {model.id}.")
        reference = None
        for frame in body.get("frame_images") or []:
            if isinstance(frame, dict) and frame.get("frame_type") == "first_frame":
                url = (frame.get("image_url") or {}).get("url", "")
                reference = _data_url(url, "frame_images")
        job = self.create_job(
            request,
            "openrouter",
            model=model,
            prompt=prompt,
            size=size,
            seconds=duration,
            audio=bool(audio),
            seed=seed,
            reference=reference,
        )
        out = self.or_job(request, job)
        return JSONResponse(
            {k: out[k] for k in ("id", "polling_url", "generation_id")} | {"status": "pending"},
            status_code=202,
        )

    @_handler
    async def or_retrieve(self, request: Request) -> Response:
        return JSONResponse(self.or_job(request, self.job(request.path_params["vid"])))

    @_handler
    async def or_content(self, request: Request) -> Response:
        job = self.job(request.path_params["vid"])
        if request.query_params.get("index", "0") != "0":
            raise ApiError(404, "No output at that index.")
        return self.content(job, "video")

    # ---- control (loopback only) -------------------------------------------------------

    async def health(self, request: Request) -> Response:
        return JSONResponse({"ok": True, "jobs": len(self.state.jobs)})

    async def stats(self, request: Request) -> Response:
        return JSONResponse(self.state.stats.as_json())

    @_handler
    async def set_faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.plan.set([])
            return JSONResponse({"rules": 0})
        body = await _json_body(request)
        try:
            self.plan.set(list(body.get("rules", [])))
        except (TypeError, ValueError) as err:
            raise ApiError(400, f"bad fault rules: {err}") from None
        return JSONResponse({"rules": len(self.plan.rules)})

    @_handler
    async def config(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                self.state.config.update(await _json_body(request))
            except (TypeError, ValueError) as err:
                raise ApiError(400, f"bad config: {err}") from None
        cfg = {k: v for k, v in vars(self.state.config).items() if k != "api_keys"}
        return JSONResponse(cfg)

    @_handler
    async def clock(self, request: Request) -> Response:
        body = await _json_body(request)
        self.state.clock_offset += float(body.get("advance", 0))
        return JSONResponse({"now": self.state.now()})

    async def reset(self, request: Request) -> Response:
        self.state.reset()
        self.plan.set([])
        return JSONResponse({"ok": True})

    @_handler
    async def force_status(self, request: Request) -> Response:
        job = self.job(request.path_params["vid"])
        body = await _json_body(request)
        if body.get("status") not in ("cancelled", "expired"):
            raise ApiError(400, "status must be 'cancelled' or 'expired'")
        job.forced_status = body["status"]
        self.state.save()
        return JSONResponse({"id": job.id, "status": job.forced_status})


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "We could not parse the JSON body of your request.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body


def _data_url(url: str, param: str) -> bytes:
    if not url.startswith("data:") or ";base64," not in url:
        raise ApiError(400, f"'{param}' must be a base64 data URL in this simulator.", param=param)
    try:
        data = base64.b64decode(url.split(";base64,", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, f"'{param}' is not valid base64.", param=param) from None
    _check_image(data, param)
    return data


def _check_image(data: bytes, param: str) -> None:
    signatures = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF")
    if not data or not data.startswith(signatures):
        raise ApiError(
            400, f"'{param}' must be a PNG, JPEG or WebP image.", param=param, code="invalid_image"
        )
    if len(data) > MAX_REFERENCE_BYTES:
        raise ApiError(400, f"'{param}' is larger than 20 MB.", param=param)
