"""Words that show a question is about something else: data for
:mod:`assistant.understanding.language`.

A kiosk about one subject is asked about many others: other illnesses and complaints, and
practical matters of the place (opening hours, toilets, prices, the way somewhere, the
weather, small talk). When the documents do not use such a word, it is strong evidence that
the question is not about them (see :mod:`assistant.understanding.matching`); and an utterance with
such a
word is never a command ("när stänger ni" asks for opening hours, it does not stop the
kiosk). A word the documents do use (a kiosk whose content lists its opening hours) is an
ordinary document word.

- :data:`WORDS`: per language, the words (as said, or their dictionary form; a compound
  counts when one of its parts is listed: ``handikapptoalett``). Muscle spasms, cramps and
  the neurological conditions that cause them are deliberately absent.
- :data:`PHRASES`: everyday phrases of several words for such subjects, rewritten to one
  listed word before analysis (``ont i halsen`` -> halsont, ``mal de tête`` -> céphalée),
  so that their everyday words ("ont", "mal") do not count as words of the documents.

Only forms that ask about the place are listed for verbs that are also commands: Swedish
``stänger`` (present tense: "när stänger ni") but not ``stäng`` ("stäng av" stops the
kiosk); French ``fermé`` but not ``fermez`` ("fermez-la").
"""

from __future__ import annotations

WORDS: dict[str, str] = {
    "sv": (
        # illnesses, complaints and body conditions other than muscle spasms and cramps
        "diabetes sockersjuka migrän huvudvärk förkylning förkyld influensa influensan "
        "covid corona coronaviruset lunginflammation bronkit astma allergi allergisk "
        "pollenallergi hösnuva eksem psoriasis borrelia fästing fästingbett tbe stroke "
        "demens alzheimer cancer tumör blodtryck hjärtinfarkt hjärtattack kärlkramp "
        "hjärtklappning feber hosta hostar snuva halsont halsfluss magsjuka magont diarré "
        "förstoppning illamående kräkningar kräks yrsel yr sömnlöshet sömnproblem "
        "depression ångest klåda utslag akne finnar vattkoppor mässling påssjuka bältros "
        "urinvägsinfektion njursten gallsten reumatism artros gikt benskörhet "
        "brännskada bränt bränd brännsår solbränna sår blåmärke tandvärk karies "
        "öroninflammation bihåleinflammation ryggvärk ryggont blodbrist anemi "
        "klimakteriet vaccin vaccinera vaccination smittar smittsam smitta "
        "kolesterol övervikt fetma hjärtsvikt tinnitus "
        # practical matters of the place
        "öppet öppnar öppnas öppettid öppettider öppettiderna stänger stängt stängd "
        "stängda stängning klockslag toalett toaletten toaletter toa toan wc skötrum "
        "kostar kostnad pris priset priser avgift avgiften gratis betala biljett biljetten "
        "parkering parkera buss bussen bussar tåg tåget tunnelbana spårvagn taxi station "
        "stationen centralstationen hållplats vägbeskrivning apotek apoteket café kafé "
        "restaurang lunch affär butik bankomat wifi internet laddare telefon "
        "väder vädret regn regna regnar snö snöar sol solen temperatur grader "
        # small talk
        "mår heter namn ålder skämt vits sjunga"
    ),
    "fr": (
        # illnesses, complaints and body conditions other than muscle spasms and cramps
        "diabète diabétique migraine céphalée rhume enrhumé grippe covid coronavirus "
        "pneumonie bronchite asthme allergie allergique eczéma psoriasis lyme "
        "borréliose tique avc démence alzheimer cancer tumeur hypertension "
        "infarctus angine fièvre toux tousser gastro gastroentérite diarrhée constipation "
        "nausée nausées vomissements vomir vertige vertiges insomnie dépression anxiété "
        "démangeaisons boutons acné varicelle rougeole oreillons zona cystite calculs "
        "rhumatisme arthrose goutte ostéoporose brûlure brûlé brûlée plaie "
        "carie dentaire otite sinusite lombalgie anémie ménopause vaccin "
        "vaccination contagieux contagieuse contagion cholestérol obésité tinnitus "
        "acouphènes colique "
        # practical matters of the place
        "ouvert ouverte ouverts ouvertes ouverture fermé fermée fermés fermées fermeture "
        "horaire horaires toilettes toilette wc sanitaires coûte coûtent "
        "coûter prix tarif tarifs payer payant gratuit billet ticket parking garer bus "
        "autobus métro tram train gare taxi itinéraire pharmacie cafétéria restaurant "
        "déjeuner magasin boutique distributeur wifi internet chargeur téléphone "
        "météo pleuvoir pleut pluie neige soleil température degrés "
        # small talk
        "appelles âge blague chanter"
    ),
}

PHRASES: dict[str, dict[str, str]] = {
    "sv": {
        "ont i halsen": "halsont",
        "ont i huvudet": "huvudvärk",
        "ont i magen": "magont",
        "ont i tänderna": "tandvärk",
        "ont i en tand": "tandvärk",
        "ont i ryggen": "ryggvärk",
        "ont i öronen": "öroninflammation",
        "högt blodtryck": "blodtryck",
        "hur dags": "klockslag",
        "hitta till": "vägbeskrivning",
        "ta mig till": "vägbeskrivning",
        "vägen till": "vägbeskrivning",
        "hur kommer jag till": "vägbeskrivning",
    },
    "fr": {
        "mal de tête": "céphalée",
        "mal à la tête": "céphalée",
        "maux de tête": "céphalée",
        "mal à la gorge": "angine",
        "mal de gorge": "angine",
        "mal au ventre": "colique",
        "mal de ventre": "colique",
        "maux de ventre": "colique",
        "mal aux dents": "dentaire",
        "mal de dents": "dentaire",
        "mal au dos": "lombalgie",
        "mal de dos": "lombalgie",
        "mal aux oreilles": "otite",
        "maladie de lyme": "lyme",
        "coup de soleil": "brûlure",
        "quelle heure": "horaire",
        "comment aller à": "itinéraire",
        "comment aller au": "itinéraire",
        "comment se rendre": "itinéraire",
        "le chemin": "itinéraire",
    },
}
