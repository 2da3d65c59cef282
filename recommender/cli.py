"""The storefront's ``tryon`` commands: keys and serve (the API), recommend (its policies,
evaluated). ``render_farm.cli`` finds them through the ``tryon.commands`` entry point
(pyproject.toml), so the farm's command line imports nothing of the storefront."""
from __future__ import annotations

import argparse
from pathlib import Path

from neural.errors import InputError


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add keys, serve, recommend and insights to the ``tryon`` command's subparsers."""
    keys = sub.add_parser("keys", help="the storefront API's keys")
    keys_sub = keys.add_subparsers(required=True, metavar="COMMAND")
    create = keys_sub.add_parser("create", help="print a new API key for a storefront")
    create.add_argument("storefront", help="the storefront's name (made on first use)")
    create.add_argument("--origin", action="append", default=[], metavar="URL",
                        help="make a publishable key for the storefront's web pages on this "
                             "site (https://shop.example; repeat for more); without: a "
                             "secret key, for its servers")
    create.add_argument("--data", help="the API's data folder (default $TRYON_DATA, else "
                        "./storefront_data)")
    create.set_defaults(handler=_keys_create)

    serve = sub.add_parser("serve", help="the storefront API (Flask's server; gunicorn for "
                                         "production)")
    serve.add_argument("--data", help="the API's data folder (default $TRYON_DATA, else "
                       "./storefront_data)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.set_defaults(handler=_serve)

    recommend = sub.add_parser("recommend", help="the storefront's recommendation policies")
    recommend_sub = recommend.add_subparsers(required=True, metavar="COMMAND")
    evaluate = recommend_sub.add_parser(
        "evaluate", help="offline evaluation on the Open Bandit Dataset sample (IPW, SNIPW, DR)")
    evaluate.add_argument("--campaign", default="all", help="all, men or women")
    evaluate.add_argument("--bootstrap", type=int, default=1000, help="resamples per interval")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--out", default="out/recommend/obd_evaluation.json")
    evaluate.set_defaults(handler=_recommend_evaluate)
    simulate = recommend_sub.add_parser(
        "simulate", help="online learning curves in a simulated storefront (RL vs baselines)")
    simulate.add_argument("--sessions", type=int, default=3000)
    simulate.add_argument("--seeds", type=int, default=3)
    simulate.add_argument("--out", default="out/recommend/simulation.json")
    simulate.set_defaults(handler=_recommend_simulate)
    report = recommend_sub.add_parser(
        "report", help="how each policy of a storefront's A/B split has done, from its logs")
    report.add_argument("storefront", help="the storefront's name")
    report.add_argument("--data", help="the API's data folder (default $TRYON_DATA, else "
                        "./storefront_data)")
    report.add_argument("--window-s", type=float, default=1800.0,
                        help="seconds after an answer in which events on its items count")
    report.add_argument("--out", default="out/recommend/ab_report.json")
    report.set_defaults(handler=_recommend_report)

    insights = sub.add_parser("insights", help="a garment's advised sizes, fit verdicts and "
                                               "returns, with differential privacy")
    insights.add_argument("storefront", help="the storefront's name")
    insights.add_argument("--garment", required=True, help="a catalog item's id")
    insights.add_argument("--epsilon", type=float, default=1.0,
                          help="privacy loss to spend of the storefront's budget (default 1)")
    insights.add_argument("--data", help="the API's data folder (default $TRYON_DATA, else "
                          "./storefront_data)")
    insights.set_defaults(handler=_insights)


def _keys_create(args) -> str:
    from recommender.api.config import settings_from_environment
    from recommender.api.cors import web_origin
    from recommender.storefront_data import StorefrontData

    if not 0 < len(args.storefront) <= 200:
        raise InputError("a storefront's name is 1-200 characters")
    origins = sorted({web_origin(origin) for origin in args.origin})
    settings = settings_from_environment(args.data)
    return StorefrontData(settings.database_url, settings.secret).create_key(args.storefront,
                                                                            origins)


def _serve(args) -> str:
    from recommender.api import create_app
    from recommender.api.config import settings_from_environment

    create_app(settings_from_environment(args.data)).run(args.host, args.port)
    return "stopped"


def _insights(args) -> str:
    from recommender.api.config import settings_from_environment
    from recommender.api.models import MAX_EPSILON
    from recommender.catalog import catalog
    from recommender.insights import size_insights
    from recommender.storefront_data import StorefrontData
    from recommender.tryons import TryOnService

    if not 0 < args.epsilon <= MAX_EPSILON:
        raise InputError(f"--epsilon must be above 0 and at most {MAX_EPSILON}")
    item = next((i for i in catalog() if i.id == args.garment), None)
    if item is None:
        raise InputError(f"no garment {args.garment!r} in the catalog")
    settings = settings_from_environment(args.data)
    data = StorefrontData(settings.database_url, settings.secret)
    storefront = data.storefront_named(args.storefront)
    if storefront is None:
        raise InputError(f"no storefront {args.storefront!r} in {settings.database_url}")
    answer = size_insights(TryOnService(settings, data), data, storefront, item, args.epsilon,
                           settings.privacy_budget)
    if answer is None:
        raise InputError(f"{args.storefront}'s privacy budget has less than epsilon "
                         f"{args.epsilon} left: no more insights can be released")

    def shown(count):
        return "-" if count is None else str(count)

    lines = [f"{item.name} ({item.id}), epsilon {args.epsilon} spent, "
             f"{answer['epsilon_left']:g} left; '-': fewer than {answer['min_group']}",
             "size  advised  returned"]
    lines += [f"{size:<5} {shown(answer['sizes'][size]):>7}  {shown(answer['returns'][size]):>8}"
              for size in answer["sizes"]]
    lines += [f"{girth}: " + ", ".join(f"{verdict} {shown(count)}"
                                       for verdict, count in verdicts.items())
              for girth, verdicts in answer["verdicts"].items()]
    return "\n".join(lines + [f"guarantee: {answer['guarantee']}"])


def _recommend_evaluate(args) -> str:
    from neural.files import write_json_atomic
    from recommender.evaluate_obd import evaluate, table

    if args.bootstrap < 10:
        raise InputError("--bootstrap needs at least 10 resamples")
    result = evaluate(args.campaign, n_boot=args.bootstrap, seed=args.seed)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(args.out, result)
    return f"{table(result)}\nsaved {args.out}"


def _recommend_simulate(args) -> str:
    from neural.files import write_json_atomic
    from recommender.evaluate_sim import learning_curves, table

    if args.sessions < 30 or args.seeds < 1:
        raise InputError("--sessions needs at least 30 and --seeds at least 1")
    result = learning_curves(args.sessions, args.seeds)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(args.out, result)
    return f"{table(result)}\nsaved {args.out}"


def _recommend_report(args) -> str:
    from neural.files import write_json_atomic
    from recommender.ab_report import ab_report, table
    from recommender.api.config import settings_from_environment
    from recommender.storefront_data import StorefrontData

    if args.window_s <= 0:
        raise InputError("--window-s must be positive")
    settings = settings_from_environment(args.data)
    data = StorefrontData(settings.database_url, settings.secret)
    storefront = data.storefront_named(args.storefront)
    if storefront is None:
        raise InputError(f"no storefront {args.storefront!r} in {settings.database_url}")
    report = ab_report(data, storefront, args.window_s)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(args.out, report)
    return f"{table(report)}\nsaved {args.out}"
