"""What a training run does with --val_data_dir's pairs: the final generator's evaluation (rank 0), --val_every's
validation with generator_best.ckpt (rank 0, the other ranks waiting for its L1), and lr_policy plateau's L1
each epoch (every rank, averaged). FID's weights are read when the run starts, so a wrong file fails at once,
not after the training."""
from src.evaluation.evaluator import evaluate_generator, validation_l1
from src.evaluation.fid_kid import FidKidScorer
from src.evaluation.pairs import EvaluationPairs, test_preprocess
from src.evaluation.unpaired import UnpairedTestSets, evaluate_cycle
from src.training.validation import Validation
from src.utils.output_folders import results_folder


class HeldOutScoring:
    """The held-out pairs of a run on `rank` (with `agreement`, a RankAgreement, when several ranks train)."""

    def __init__(self, config, multiple, coding, rank, agreement, log):
        self.config, self.multiple, self.coding = config, multiple, coding
        self.rank, self.agreement, self.log = rank, agreement, log
        # Rank 0 opens the pairs before the first step, so a wrong set fails at once; plateau's pairs are opened
        # at their first use, on every rank.
        self.pairs = self.open_pairs(config.num_test) if config.val_data_dir and rank == 0 else None
        self.scorer = (FidKidScorer.from_settings(config.fid_weights, config.fid_dims, log=log)
                       if self.pairs is not None else None)
        self.plateau_pairs, self.validation = None, None

    def open_pairs(self, num_test=None, log=None):
        """config.val_data_dir's pairs as the evaluation and the plateau policy read them."""
        config = self.config
        opener = (UnpairedTestSets.open if config.dataset_mode == "unaligned" else
                  lambda *arguments: EvaluationPairs.open(config.dataset_mode, *arguments))
        return opener(config.val_data_dir, config.direction, test_preprocess(config, self.multiple), self.coding,
                      num_test, log or self.log)

    def start_validation(self, folder, spec, board, state, run):
        """Rank 0, --val_every: the Validation, continued from `state` (TrainingState) when the run resumes;
        `run`: the RunIdentity its best checkpoints carry."""
        if self.rank == 0 and self.config.val_every:
            self.validation = Validation.for_run(self.config, self.pairs, folder, spec, self.scorer, self.log, board,
                                                 run)
            if state.step:
                self.validation.restore(state.epoch)

    def due(self, epoch):
        return bool(self.config.val_every) and epoch % self.config.val_every == 0

    def validate(self, generators, epoch, step):
        """--val_every: rank 0 scores `generators` ({checkpoint prefix: generator}); with several ranks the
        others wait for its L1 (a collective) and log it."""
        l1 = self.validation.run(generators, epoch, step)["l1"] if self.rank == 0 else 0.0
        if self.agreement:
            l1 = self.agreement.mean(l1 * self.agreement.group_size if self.rank == 0 else 0.0)
            if self.rank:
                self.log(f"Validation after epoch {epoch} (rank 0): L1 {l1:.4f}")

    def plateau_l1(self, generator):
        """lr_policy plateau: the epoch's validation L1, averaged over the ranks so that all agree."""
        if self.plateau_pairs is None:
            # Files that are not images are named once, when the run starts, not here.
            self.plateau_pairs = self.open_pairs(log=lambda warning: None)
        metric = validation_l1(generator, self.plateau_pairs)
        return self.agreement.mean(metric) if self.agreement else metric

    def evaluate_final(self, generators, final_generator_path):
        """Score the final generators ({checkpoint prefix: generator}) as eval.py would (rank 0, with
        val_data_dir); returns the summary or None."""
        if self.pairs is None:
            return None
        config = self.config
        output_dir = results_folder(config.output_path, "eval", final_generator_path, config.val_data_dir)
        if isinstance(self.pairs, UnpairedTestSets):
            return evaluate_cycle(generators, self.pairs, output_dir, config.eval_mode, self.log, self.scorer)
        return evaluate_generator(generators["generator"], self.pairs, output_dir, config.eval_mode, self.log,
                                  self.scorer)
