"""The context of a home-service action: the task's context and the catalogue in force."""
from __future__ import annotations

from dataclasses import dataclass

from rasa_sdk import Tracker

from actions import runtime
from actions.context import TaskContext, task_fields
from actions.services.catalogue import Catalogue, load_catalogue


@dataclass(frozen=True)
class ServiceContext(TaskContext):
    catalogue: Catalogue = None  # type: ignore[assignment]


def service_context(tracker: Tracker) -> ServiceContext:
    return ServiceContext(**task_fields(tracker), catalogue=load_catalogue(runtime.settings().services_config))
