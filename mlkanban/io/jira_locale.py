"""Jira exports in the exporting user's language: column names, status names, dates.

Jira writes the header row, the ``Custom field (...)`` prefix, the names of its own
statuses and the month in every date in the language of the person who exported.
Here each column name is brought back to Jira's English one (the names the reader
asks for), so the rest of the import reads one language. Month names come from the
CLDR data of Babel, loaded only when a date is not in English.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

#: Languages whose column names are known; others name their columns with --column.
LANGUAGES = ("es", "fr", "de", "pt", "it", "ru")

#: Jira's English column name -> its names in other languages (lower case).
_COLUMNS: dict[str, tuple[str, ...]] = {
    "summary": ("resumen", "résumé", "zusammenfassung", "resumo", "riepilogo", "тема"),
    "issue key": ("clave de incidencia", "clave", "clé de ticket", "clé", "schlüssel",
                  "vorgangsschlüssel", "chave do item", "chave da issue", "chave",
                  "chiave ticket", "chiave", "ключ проблемы", "ключ"),
    "issue id": ("id de la incidencia", "id de ticket", "vorgangs-id", "id do item",
                 "id della issue", "id ticket", "идентификатор проблемы", "id проблемы"),
    "issue type": ("tipo de incidencia", "type de ticket", "vorgangstyp", "tipo de item",
                   "tipo di ticket", "тип проблемы", "тип задачи"),
    "status": ("estado", "état", "statut", "stato", "статус"),
    "status category": ("categoría de estado", "catégorie d'état", "statuskategorie",
                        "categoria de status", "categoria dello stato", "категория статуса"),
    "status category changed": ("categoría de estado cambiada",
                                "catégorie d'état modifiée", "statuskategorie geändert",
                                "categoria de status alterada",
                                "categoria dello stato modificata",
                                "категория статуса изменена"),
    "project key": ("clave del proyecto", "clave de proyecto", "clé de projet",
                    "projektschlüssel", "chave do projeto", "chiave progetto",
                    "ключ проекта"),
    "project name": ("nombre del proyecto", "nom du projet", "projektname",
                     "nome do projeto", "nome progetto", "название проекта", "проект"),
    "priority": ("prioridad", "priorité", "priorität", "prioridade", "priorità",
                 "приоритет"),
    "resolution": ("resolución", "résolution", "lösung", "resolução", "risoluzione",
                   "решение"),
    "assignee": ("responsable", "persona asignada", "bearbeiter", "zugewiesene person",
                 "responsável", "assegnatario", "исполнитель"),
    "reporter": ("informador", "rapporteur", "autor", "relator", "segnalatore", "автор"),
    "creator": ("creador", "créateur", "ersteller", "criador", "autore", "создатель"),
    "created": ("creada", "creado", "création", "créé", "erstellt", "criado", "creato",
                "создано", "дата создания"),
    "updated": ("actualizada", "actualizado", "mise à jour", "mis à jour", "aktualisiert",
                "atualizado", "aggiornato", "обновлено"),
    "resolved": ("resuelta", "resuelto", "résolu", "résolue", "erledigt", "gelöst",
                 "resolvido", "risolto", "дата решения", "решено"),
    "due date": ("fecha de vencimiento", "date d'échéance", "fälligkeitsdatum",
                 "data de entrega", "data di scadenza", "срок исполнения", "срок"),
    "labels": ("etiquetas", "étiquettes", "stichwörter", "rótulos", "etichette", "метки"),
    "description": ("descripción", "beschreibung", "descrição", "descrizione", "описание"),
    "sprint": ("спринт",),
    "comment": ("comentario", "commentaire", "kommentar", "comentário", "commento",
                "комментарий"),
    "parent": ("principal", "padre", "übergeordnet", "pai", "родитель", "родительская"),
    "parent id": ("id principal", "id del padre", "id parent", "übergeordnete id",
                  "id do pai", "id padre", "идентификатор родителя"),
    "parent key": ("clave principal", "clave del padre", "clé parent",
                   "übergeordneter schlüssel", "chave do pai", "chiave padre",
                   "ключ родителя"),
    "component/s": ("componentes", "composants", "komponenten", "componenti",
                    "компоненты"),
    "fix version/s": ("versiones de corrección", "versions corrigées", "lösungsversion/en",
                      "versões corrigidas", "versioni di correzione",
                      "исправить в версиях"),
    "original estimate": ("estimación original", "estimation originale",
                          "ursprüngliche schätzung", "estimativa original",
                          "stima originale", "первоначальная оценка"),
    "remaining estimate": ("estimación restante", "estimation restante",
                           "verbleibende schätzung", "estimativa restante",
                           "stima rimanente", "оставшееся время"),
    "time spent": ("tiempo empleado", "temps consacré", "benötigte zeit", "tempo gasto",
                   "tempo impiegato", "затраченное время"),
    "log work": ("registro de trabajo", "journal de travail", "arbeit protokollieren",
                 "registro de trabalho", "registra lavoro", "журнал работ"),
    "attachment": ("archivo adjunto", "pièce jointe", "anhang", "anexo", "allegato",
                   "вложение"),
    "watchers": ("observadores", "observateurs", "beobachter", "osservatori",
                 "наблюдатели"),
}
#: The prefix of a custom field's column, ``Custom field (Story Points)``.
_CUSTOM = re.compile(
    r"^(?:custom field|campo personalizado|champ personnalisé|benutzerdefiniertes feld|"
    r"campo personalizzato|пользовательское поле)\s*\((.*)\)$"
)
#: Custom fields that Jira Software itself adds, by their names in other languages.
_CUSTOM_NAMES: dict[str, tuple[str, ...]] = {
    "epic link": ("enlace a épica", "enlace de épica", "lien d'epic", "epos-verknüpfung",
                  "link do épico", "link epic", "ссылка на эпик"),
    "epic name": ("nombre de épica", "nom de l'epic", "epos-name", "nome do épico",
                  "nome epic", "имя эпика", "название эпика"),
    "epic status": ("estado de épica", "statut de l'epic", "epos-status", "status do épico",
                    "stato epic", "статус эпика"),
    "story points": ("puntos de historia", "story-points", "pontos da história",
                     "punti storia", "оценка"),
}
_BY_NAME = {alias: english for english, aliases in _COLUMNS.items() for alias in aliases}
_CUSTOM_BY_NAME = {
    alias: english for english, aliases in _CUSTOM_NAMES.items() for alias in aliases
}


def english_column(title: str) -> str:
    """A header cell as Jira's English column name (lower case)."""
    name = " ".join(title.split()).lower()
    custom = _CUSTOM.match(name)
    if custom:
        inner = custom.group(1).strip()
        return f"custom field ({_CUSTOM_BY_NAME.get(inner, inner)})"
    return _BY_NAME.get(name, name)


#: Jira's own status and status-category names in other languages -> English.
STATUS_NAMES: dict[str, str] = {
    # status categories
    "por hacer": "to do", "tareas por hacer": "to do", "en curso": "in progress",
    "listo": "done", "hecho": "done", "à faire": "to do", "en cours": "in progress",
    "terminé": "done", "terminée": "done", "zu erledigen": "to do", "in arbeit": "in progress",
    "fertig": "done", "erledigt": "done", "a fazer": "to do", "itens pendentes": "to do",
    "em andamento": "in progress", "concluído": "done", "itens concluídos": "done",
    "da fare": "to do", "da completare": "to do", "in corso": "in progress",
    "completato": "done", "fatto": "done", "к выполнению": "to do", "сделать": "to do",
    "в работе": "in progress", "готово": "done", "выполнено": "done",
    # statuses
    "abierta": "open", "abierto": "open", "cerrada": "closed", "cerrado": "closed",
    "resuelta": "resolved", "resuelto": "resolved", "reabierta": "reopened",
    "en progreso": "in progress", "ouvert": "open", "fermé": "closed", "fermée": "closed",
    "résolu": "resolved", "résolue": "resolved", "rouvert": "reopened", "offen": "open",
    "geschlossen": "closed", "gelöst": "resolved", "erneut geöffnet": "reopened",
    "aberto": "open", "fechado": "closed", "resolvido": "resolved", "reaberto": "reopened",
    "aperto": "open", "chiuso": "closed", "risolto": "resolved", "riaperto": "reopened",
    "открыт": "open", "открыто": "open", "закрыт": "closed", "закрыто": "closed",
    "решен": "resolved", "решено": "resolved", "переоткрыт": "reopened",
}

# ------------------------------------------------------------------ dates

_ENGLISH_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    start=1,
)}
_DATE = re.compile(
    r"^(\d{1,2})/([^/\s\d]+)/(\d{2}|\d{4})"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([^\d\s].*))?)?$"
)
_PM = {"pm", "p.m.", "p. m.", "nachm.", "пп"}
_AM = {"am", "a.m.", "a. m.", "vorm.", "дп"}


def month_number(name: str) -> int | None:
    """1-12 for a month name or abbreviation in English or a known language."""
    token = name.lower().rstrip(".")
    found = _ENGLISH_MONTHS.get(token)
    if found is None and len(token) >= 3:
        found = _localized_months().get(token)
    return found


@cache
def _localized_months() -> dict[str, int]:
    """Every abbreviated and full month name of the known languages (CLDR via Babel),
    with its dots removed; also each unambiguous prefix of three letters or more, since
    older Jira servers cut names differently from CLDR (``сен`` for ``сент.``)."""
    from babel.dates import get_month_names

    names: dict[str, set[int]] = {}
    for locale in ("en", *LANGUAGES):
        for width in ("abbreviated", "wide"):
            for context in ("format", "stand-alone"):
                for number, text in get_month_names(width, context, locale).items():
                    full = text.lower().replace(".", "").strip()
                    for end in range(3, len(full) + 1):
                        names.setdefault(full[:end], set()).add(number)
    return {name: next(iter(numbers)) for name, numbers in names.items() if len(numbers) == 1}


def parse_localized(value: str) -> datetime | None:
    """``16/ene/24 10:58 AM`` or ``29/июл/26 09:59`` as a naive datetime; None if the
    text does not have that shape. ValueError for a shape with impossible parts."""
    match = _DATE.match(value)
    if match is None:
        return None
    day, month_text, year, hour, minute, second, marker = match.groups()
    month = month_number(month_text)
    if month is None:
        raise ValueError(f"unknown month {month_text!r}")
    full_year = int(year) + (2000 if len(year) == 2 and int(year) < 70 else 0)
    if len(year) == 2 and int(year) >= 70:
        full_year = 1900 + int(year)
    h = int(hour or 0)
    if marker:
        period = marker.strip().lower()
        if period in _PM or period.replace(" ", "") in {"pm", "p.m."}:
            if not 1 <= h <= 12:
                raise ValueError("hour out of range")
            h = h % 12 + 12
        elif period in _AM or period.replace(" ", "") in {"am", "a.m."}:
            if not 1 <= h <= 12:
                raise ValueError("hour out of range")
            h = h % 12
        else:
            raise ValueError(f"unknown time marker {marker!r}")
    return datetime(full_year, month, int(day), h, int(minute or 0), int(second or 0))
