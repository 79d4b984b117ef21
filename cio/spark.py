"""Send a Spark DataFrame to Customer.io from the executors, partition by partition.

:func:`send` returns a DataFrame of results (one row per input row: ``key``,
``message_id``, ``status``, ``error_code``, ``reason``, ``warnings``) built with
``mapInArrow``, so it
runs under classic Spark and under Spark Connect (Databricks serverless and shared
clusters) alike. Nothing is collected on the driver: each task validates, packs and
sends its own partition with :class:`cio.io.PartitionSender`.

Like every DataFrame transformation the result is lazy: the rows are sent when an action
runs (``write``, ``count``, ``collect``...), and again by every further action on the
same result. Write the results once (or ``cache()`` them) before looking at them twice.
Re-sending is harmless for Customer.io (the same messageIds are dropped as duplicates)
but costs requests.

pyspark is an optional dependency: ``pip install 'cio[spark]'``. See ``docs/spark.md``.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import uuid
import warnings
from collections.abc import Mapping
from typing import Any, Final

from cio._constants import MAX_BATCH_BYTES
from cio._settings import Settings
from cio.errors import ConfigurationError
from cio.io import RESULT_COLUMNS, ColumnMapping, PartitionSender

__all__ = ["CONF_PREFIX", "RESULT_DDL", "local_session", "send"]

logger = logging.getLogger(__name__)

CONF_PREFIX: Final = "spark.cio."
"""Spark conf keys ``spark.cio.<setting>`` configure :func:`send` (``spark.cio.api_key``...)."""

RESULT_DDL: Final = ", ".join(f"{name} string" for name in RESULT_COLUMNS)
"""The schema of the result DataFrame, as a DDL string."""

_SETTING_NAMES: Final = (
    "api_key",
    "region",
    "base_url",
    "timeout",
    "max_retries",
    "rate_limit",
    "strict",
)
_CONF_CONCURRENCY: Final = CONF_PREFIX + "concurrency"
_CONF_RUN_ID: Final = CONF_PREFIX + "run_id"
_FALLBACK_CONCURRENCY: Final = 8
"""Tasks assumed to run at once when neither the caller nor Spark says (Spark Connect)."""
_MISSING_EXTRA: Final = "cio.spark needs pyspark and pyarrow: pip install 'cio[spark]'"
_LOOPBACK: Final = "127.0.0.1"
_LOCAL_SPARK_CONF: Final = {
    "spark.driver.host": _LOOPBACK,
    "spark.driver.bindAddress": _LOOPBACK,
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.adaptive.enabled": "false",
    # Start-up matters more than peak speed for a local session: quick JIT, simple GC.
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
}
# pyspark warns about pandas versions on every session and mapInArrow call, although
# mapInArrow hands the tasks Arrow batches and never uses pandas.
_PANDAS_VERSION_WARNING: Final = "PySpark does not yet fully support pandas"


def _require_extra() -> None:
    for name in ("pyspark", "pyarrow"):
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ConfigurationError(_MISSING_EXTRA) from exc


def send(
    df: Any,
    *,
    kind: str,
    mapping: ColumnMapping | Mapping[str, str | None] | None = None,
    constants: Mapping[str, Any] | None = None,
    types: Mapping[str, str] | None = None,
    assume_timezone: str | None = None,
    run_id: str | None = None,
    key_column: str | None = None,
    api_key: str | None = None,
    region: str | None = None,
    base_url: str | None = None,
    timeout: float | None = None,
    max_retries: int | None = None,
    rate_limit: int | None = None,
    strict: bool | None = None,
    settings: Settings | None = None,
    concurrency: int | None = None,
    workers: int | None = None,
    max_batch_bytes: int = MAX_BATCH_BYTES,
) -> Any:
    """Send every row of a Spark DataFrame; return a DataFrame with one result per row.

    Each setting comes from the argument, else the Spark conf key ``spark.cio.<name>``
    (``spark.cio.api_key``, ``spark.cio.base_url``...), else the ``CIO_*`` environment
    variable of the driver. The API key travels to the executors inside the task, never
    in the results or the logs.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        The rows; columns map to fields as in :func:`cio.io.import_dataframe`.
    kind : str
        What each row becomes: ``identify``, ``track``, ``group``... or a semantic
        event name.
    mapping, constants, types, assume_timezone
        As for :func:`cio.io.read_rows` (``assume_timezone`` as a name, ``"UTC"``).
    run_id : str, optional
        Fixes the messageIds together with each row's content. Give the same run id
        when re-running a job, so rows already delivered are dropped as duplicates.
        Default: ``spark.cio.run_id``, else a new random id (logged).
    key_column : str, optional
        The column copied to the result's ``key`` (default: the user id column).
    api_key, region, base_url, timeout, max_retries, strict
        As for :class:`cio.CustomerIOClient`.
    rate_limit : int, optional
        The workspace's budget in requests per 3 seconds (3000 by default), shared by
        all tasks.
    settings : Settings, optional
        Ready settings (for example ``client.settings``); the other setting arguments
        and the ``spark.cio.*`` settings are then not used.
    concurrency : int, optional
        How many tasks run at once; each task gets ``rate_limit // concurrency``
        requests per window. Default: ``spark.cio.concurrency``, else Spark's default
        parallelism (the cores of the cluster), else 8 under Spark Connect.
    workers : int, optional
        Delivery threads per task.
    max_batch_bytes : int
        Largest ``/batch`` body (the API's 500 KB by default).

    Returns
    -------
    pyspark.sql.DataFrame
        Lazy, with the string columns ``key``, ``message_id``, ``status`` (``sent``,
        ``invalid``, ``failed``), ``error_code``, ``reason`` and ``warnings``.

    Raises
    ------
    ConfigurationError
        When pyspark is missing, no API key is configured, or a setting is invalid.
    ValidationError
        When the DataFrame's columns cannot become messages of this kind (checked on
        the driver, before any task runs).
    TypeError
        When both ``settings`` and individual settings are given.

    Example
    -------
    A sketch (see ``docs/spark.md`` for a runnable one)::

        results = cio.spark.send(df, kind="identify", run_id="2024-06-01")
        results.write.mode("overwrite").parquet("/tmp/cio-results")
    """
    _require_extra()
    conf = _conf_reader(df)
    arguments = {
        "api_key": api_key,
        "region": region,
        "base_url": base_url,
        "timeout": timeout,
        "max_retries": max_retries,
        "rate_limit": rate_limit,
        "strict": strict,
    }
    if settings is None:
        explicit: dict[str, Any] = {}
        for name in _SETTING_NAMES:
            value = arguments[name]
            if value is None:
                value = conf(CONF_PREFIX + name)
            if value is not None:
                explicit[name] = value
        settings = Settings(**explicit)
    elif any(value is not None for value in arguments.values()):
        raise TypeError("pass either settings= or individual settings, not both")
    tasks = concurrency if concurrency is not None else _concurrency(df, conf)
    if run_id is None:
        run_id = conf(_CONF_RUN_ID) or uuid.uuid4().hex
        logger.info(
            "cio.spark.send: run id %s (pass run_id= to re-send without duplicates)", run_id
        )
    sender = PartitionSender(
        kind,
        run_id=run_id,
        mapping=mapping,
        constants=constants,
        types=types,
        assume_timezone=assume_timezone,
        settings=settings,
        concurrency=tasks,
        workers=workers,
        key_column=key_column,
        max_batch_bytes=max_batch_bytes,
    )
    sender.check_columns(df.columns)
    logger.info(
        "cio.spark.send: %s to %s, %d tasks at once, %d requests per window each",
        sender.kind,
        settings.resolved_base_url,
        tasks,
        sender.rate_share,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", _PANDAS_VERSION_WARNING, FutureWarning)
        return df.mapInArrow(sender, RESULT_DDL)


def _conf_reader(df: Any) -> Any:
    runtime = df.sparkSession.conf

    def read(name: str) -> str | None:
        value = runtime.get(name, None)
        return None if value is None or value == "" else str(value)

    return read


def _concurrency(df: Any, conf: Any) -> int:
    configured = conf(_CONF_CONCURRENCY)
    if configured is not None:
        try:
            return int(configured)
        except ValueError:
            raise ConfigurationError(f"{_CONF_CONCURRENCY} must be a whole number") from None
    try:
        # Classic Spark: the cores of every executor. Spark Connect has no SparkContext.
        return int(df.sparkSession.sparkContext.defaultParallelism)
    except Exception:  # any failure here means "not classic Spark": recorded below
        logger.warning(
            "cio.spark.send: cannot tell how many tasks run at once; assuming %d "
            "(pass concurrency= or set %s)",
            _FALLBACK_CONCURRENCY,
            _CONF_CONCURRENCY,
        )
        return _FALLBACK_CONCURRENCY


def local_session(
    threads: int = 2,
    *,
    max_failures: int = 1,
    app_name: str = "cio",
    conf: Mapping[str, str] | None = None,
) -> Any:
    """A local SparkSession that binds 127.0.0.1 only and needs no network.

    For notebooks, tests and trying things out: ``local[threads, max_failures]``, no UI,
    the driver bound to the loopback address, Python workers on this interpreter, and a
    JVM tuned to start quickly (C1 JIT, serial GC). When a session exists already it is
    returned as it is.

    Parameters
    ----------
    threads : int
        Tasks that run at once.
    max_failures : int
        Attempts per task (more than 1 lets Spark retry a failed task, as a cluster does).
    app_name : str
        The application name.
    conf : mapping of str to str, optional
        More Spark conf (``{"spark.sql.shuffle.partitions": "4"}``).

    Returns
    -------
    pyspark.sql.SparkSession

    Raises
    ------
    ConfigurationError
        When pyspark is not installed.
    """
    _require_extra()
    os.environ.setdefault("SPARK_LOCAL_IP", _LOOPBACK)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    sql = importlib.import_module("pyspark.sql")
    builder = sql.SparkSession.builder.master(f"local[{threads},{max_failures}]").appName(app_name)
    settings = {
        **_LOCAL_SPARK_CONF,
        "spark.sql.shuffle.partitions": str(threads),
        "spark.default.parallelism": str(threads),
        **(conf or {}),
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", _PANDAS_VERSION_WARNING, FutureWarning)
        session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
