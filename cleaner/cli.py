"""The `clean` command. Thin: every command calls a function of the package."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

try:  # typer >= 0.17 vendors click as typer._click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover
    from click import exceptions as click_exceptions

from cleaner.config import FORMATS, Config, load_config_file
from cleaner.errors import UserError

MAIN_HELP = """\
Clean a folder of scraped documents into a deduplicated dataset with provenance.

\b
Examples:
  clean seeds/ --to parquet          Parquet shards + manifest in out/seeds/
  clean crawl/ --to hf --lang en,es  a folder for datasets.load_from_disk
  clean a.jsonl.gz b/ --to jsonl --name mix --out /data/clean
  clean explain seeds/002_4159d1db6277fff6.txt   why each line was kept or removed
  clean train ../shared/data/wcxb-dev --out model.npz      the text line model
  clean train ../shared/data/wcxb-dev --html --out h.npz   the HTML line model
  clean eval ../shared/data/wcxb-dev --as-text --split test   (or --as-html)

\b
Inputs: .txt/.md (text), .html/.htm (HTML), .jsonl (a "text" or "html" field;
other fields are kept as metadata), each optionally gzipped. Folders are read
recursively, in sorted order.
"""

SUBCOMMANDS = ("run", "explain", "train", "eval", "config", "report")

app = typer.Typer(help=MAIN_HELP, rich_markup_mode=None, add_completion=False,
                  no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})


@app.command("run", help=MAIN_HELP)
def run_command(
    inputs: Annotated[list[Path], typer.Argument(help="Files or folders to clean.",
                                                 show_default=False)],
    to: Annotated[str | None, typer.Option(
        "--to", help=f"Output format: {', '.join(FORMATS)}. [default: parquet]")] = None,
    out: Annotated[str | None, typer.Option(
        "--out", help="Output folder. [default: out]")] = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="Dataset name, a folder under --out. [default: the input's name]")] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Keep only these languages, e.g. en,es (ISO 639-1). [default: all]")
    ] = None,
    min_words: Annotated[int | None, typer.Option(
        "--min-words", help="Reject documents shorter than this after cleaning. [default: 50]")
    ] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Processes to use; 0 means all cores. [default: 0]")] = None,
    engine: Annotated[str | None, typer.Option(
        "--engine", help="local (processes on this machine) or ray (Ray Data; a cluster when "
        "RAY_ADDRESS or --ray-address is set). [default: local]")] = None,
    ray_address: Annotated[str | None, typer.Option(
        "--ray-address", help="Ray cluster address, e.g. ray://head:10001.")] = None,
    no_model: Annotated[bool, typer.Option(
        "--no-model", help="Use the rules only; do not run the trained line model.")] = False,
    html_extractor: Annotated[str | None, typer.Option(
        "--html-extractor", help="HTML pages: model (every line of the page, scored by the "
        "HTML line model from its words and its place in the page; the removed ones are in "
        "the provenance) or trafilatura (its main text, then the rules). With --no-model, "
        "trafilatura. [default: model]")] = None,
    no_dedup: Annotated[bool, typer.Option(
        "--no-dedup", help="Keep duplicate and near-duplicate documents.")] = False,
    no_near_dedup: Annotated[bool, typer.Option(
        "--no-near-dedup", help="Drop exact duplicates only, not near-duplicates.")] = False,
    near_dup_threshold: Annotated[float | None, typer.Option(
        "--near-dup-threshold", help="Estimated Jaccard (word 5-grams) at which two documents "
        "are near-duplicates. [default: 0.75]")] = None,
    dedup_index: Annotated[str | None, typer.Option(
        "--dedup-index", help="Where the dedup state lives: disk (SQLite files beside the "
        "output; memory stays flat on any corpus size) or memory (~1.5 KB a kept document; "
        "a little faster). Same output either way. [default: disk]")] = None,
    lang_backend: Annotated[str | None, typer.Option(
        "--lang-backend", help="hybrid (fastText lid.176, langdetect when it is unsure), "
        "langdetect or fasttext. [default: hybrid]")] = None,
    follow_symlinks: Annotated[bool, typer.Option(
        "--follow-symlinks", help="Follow symlinks that leave the input folder.")] = False,
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="Start afresh instead of resuming an interrupted run.")] = False,
    report: Annotated[bool, typer.Option(
        "--report", help="Also write report.html: what was removed, document by document.")
    ] = False,
    config: Annotated[Path | None, typer.Option(
        "--config", help="A TOML file of options (same names as the flags) and rule "
        "[thresholds]; see `clean config --show`.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no summary.")
                     ] = False,
) -> None:
    from cleaner.pipeline import Pipeline
    from cleaner.progress import Progress, print_summary

    values = load_config_file(config) if config else {}
    flags = {"to": to, "out": out, "name": name, "min_words": min_words, "workers": workers,
             "engine": engine, "ray_address": ray_address,
             "near_dedup_threshold": near_dup_threshold, "lang_backend": lang_backend,
             "dedup_index": dedup_index, "html_extractor": html_extractor,
             "lang": lang.split(",") if lang is not None else None}
    values.update({k: v for k, v in flags.items() if v is not None})
    for flag, key in ((no_model, "model"), (no_dedup, "dedup"), (no_near_dedup, "near_dedup")):
        if flag:
            values[key] = False
    if follow_symlinks:
        values["follow_symlinks"] = True
    if quiet:
        values["quiet"] = True
    cfg = Config(**values).validate()
    pipeline = Pipeline(cfg)
    with Progress(enabled=not cfg.quiet) as progress:
        result = pipeline.run([str(i) for i in inputs], progress=progress.update,
                              overwrite=overwrite)
    if report:
        from cleaner.report import write_report

        write_report(result.path)
    if not cfg.quiet:
        print_summary(result)


@app.command("config")
def config_command(
    show: Annotated[bool, typer.Option("--show", help="Print the effective configuration.")
                    ] = True,
    config: Annotated[Path | None, typer.Option(
        "--config", help="A TOML file to apply on top of the defaults.")] = None,
) -> None:
    """Print the effective configuration (defaults, then --config FILE) as TOML: every
    option and every rule threshold, ready to edit and pass back with --config."""
    values = load_config_file(config) if config else {}
    if show:
        sys.stdout.write(Config(**values).validate().to_toml())


@app.command("report")
def report_command(
    out_dir: Annotated[Path, typer.Argument(help="An output folder, e.g. out/seeds.")],
) -> None:
    """Write OUT_DIR/report.html: a self-contained page showing what was removed and why."""
    from cleaner.report import write_report

    if not (out_dir / "manifest.json").is_file():
        raise UserError(f"not a finished cleaner output (no manifest.json): {out_dir}")
    path = write_report(out_dir)
    print(path)


@app.command("explain")
def explain_command(
    file: Annotated[Path, typer.Argument(help="A text, HTML or JSONL file.")],
    no_model: Annotated[bool, typer.Option("--no-model", help="Rules only.")] = False,
    color: Annotated[bool | None, typer.Option(
        "--color/--no-color", help="Colour the verdicts. [default: when a terminal]")] = None,
) -> None:
    """Print every line of FILE with its verdict, reason and score: for tuning rules."""
    from cleaner.explain import explain

    explain(file, model=not no_model, color=color)


def _register_optional() -> None:
    """The model's commands live with the model; they are added when it is there."""
    try:
        from cleaner.model import cli as model_cli
    except ImportError:
        return
    app.command("train", help="Train the line model from a folder of labelled pages.")(
        model_cli.train_command)
    app.command("eval", help="Score cleaning against gold text: shingle and bag-of-words F1.")(
        model_cli.eval_command)


_register_optional()


def main(argv: list[str] | None = None) -> None:
    """Entry point: `clean INPUT...` runs the main job; `clean SUBCOMMAND ...` the others."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] not in SUBCOMMANDS and args[0] not in ("-h", "--help"):
        args = ["run", *args]
    try:
        app(args=args, prog_name="clean", standalone_mode=False)
    except UserError as e:
        _fail(str(e))
    except typer.Abort:
        _fail("interrupted", code=130)
    except click_exceptions.ClickException as e:
        _fail(e.format_message(), code=e.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", code=130)
    except BrokenPipeError:
        sys.exit(1)
    except OSError as e:  # an unwritable --out, a full disk: the user's to fix
        _fail(f"{e.strerror or e}: {e.filename}" if e.filename else str(e))


def _fail(message: str, code: int = 2) -> None:
    print(f"clean: error: {message}", file=sys.stderr)
    sys.exit(code)


if __name__ == "__main__":
    main()
