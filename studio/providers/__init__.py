"""Provider adapters: one interface (`Provider`), two wire shapes, capability profiles as data.

Names are imported on first use, so reading profiles or types does not import httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studio.core.lazy import lazy_exports

if TYPE_CHECKING:
    from studio.providers.base import Provider
    from studio.providers.errors import (
        AuthError,
        ProviderError,
        RequestError,
        TransportError,
        Unsupported,
    )
    from studio.providers.openai_shape import OpenAIShapeProvider
    from studio.providers.openrouter import OpenRouterProvider
    from studio.providers.profiles import ModelProfile, ProfileSet, load_profiles
    from studio.providers.types import (
        FailureKind,
        RemoteJob,
        RemoteStatus,
        Variant,
    )

_HOME = {
    "Provider": "base",
    "AuthError": "errors",
    "ProviderError": "errors",
    "RequestError": "errors",
    "TransportError": "errors",
    "Unsupported": "errors",
    "OpenAIShapeProvider": "openai_shape",
    "OpenRouterProvider": "openrouter",
    "ModelProfile": "profiles",
    "ProfileSet": "profiles",
    "load_profiles": "profiles",
    "FailureKind": "types",
    "RemoteJob": "types",
    "RemoteStatus": "types",
    "Variant": "types",
}


__getattr__ = lazy_exports("studio.providers", _HOME)

__all__ = [
    "AuthError",
    "FailureKind",
    "ModelProfile",
    "OpenAIShapeProvider",
    "OpenRouterProvider",
    "ProfileSet",
    "Provider",
    "ProviderError",
    "RemoteJob",
    "RemoteStatus",
    "RequestError",
    "TransportError",
    "Unsupported",
    "Variant",
    "load_profiles",
]
